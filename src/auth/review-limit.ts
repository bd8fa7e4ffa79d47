// The budget of reviews asked of the apiserver at once: so many in flight, so many waiting, and past
// that a refusal that says so (the admission webhook answers 503 with it). The webhook's reference
// checks ask a SubjectAccessReview per object a run names, for reviews anyone who reaches the port may
// post: without this, callers decide how many requests the process makes of the apiserver at once, on
// the connections the reconciler and leader election need too (docs/security.md "Admission reviews").
// A waiting review gives up after `maxWaitMs`, so nothing queued outlives the admission call it serves.

export interface ReviewLimitOptions {
  /** What is limited, for the refusal's message (e.g. `SubjectAccessReviews`). */
  what: string;
  /** Reviews asked at once. */
  maxInFlight: number;
  /** Reviews waiting for a slot; one more is refused at once. */
  maxQueued: number;
  /** How long a review may wait for a slot before it is refused. */
  maxWaitMs: number;
}

/** Refused by the budget: not asked at all (the caller answers 503 and says why). */
export class ReviewLimitExceeded extends Error {
  override name = 'ReviewLimitExceeded';
}

export class ReviewLimit {
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** Refusals so far (for tests and metrics). */
  refused = 0;

  constructor(readonly opts: ReviewLimitOptions) {}

  /** Runs `ask` within the budget, or rejects with ReviewLimitExceeded without calling it. */
  async run<T>(ask: () => Promise<T>): Promise<T> {
    if (this.inFlight < this.opts.maxInFlight) this.inFlight++;
    else await this.slot(); // a finished review hands its slot over: inFlight stays as it is
    try {
      return await ask();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.inFlight--;
    }
  }

  get pending(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiting.length };
  }

  private slot(): Promise<void> {
    const { what, maxInFlight, maxQueued, maxWaitMs } = this.opts;
    if (this.waiting.length >= maxQueued) {
      this.refused++;
      return Promise.reject(
        new ReviewLimitExceeded(
          `too many ${what} at once (${maxInFlight} in flight, ${maxQueued} waiting): the webhook's budget for them is spent; try again`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const take = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(take);
        if (at >= 0) this.waiting.splice(at, 1);
        this.refused++;
        reject(
          new ReviewLimitExceeded(
            `no slot for ${what} within ${maxWaitMs} ms (${maxInFlight} in flight, ${this.waiting.length} waiting); try again`,
          ),
        );
      }, maxWaitMs);
      this.waiting.push(take);
    });
  }
}
