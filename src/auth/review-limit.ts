// The budget of reviews asked of the apiserver at once: so many in flight, so many waiting, and past
// that a refusal that says so (the admission webhook answers 503 with it). The webhook's reference
// checks ask a SubjectAccessReview per object a run names, for reviews anyone who reaches the port may
// post: without this, callers decide how many requests the process makes of the apiserver at once, on
// the connections the reconciler and leader election need too (docs/security.md "Admission reviews").
// A waiting review gives up after `maxWaitMs`, so nothing queued outlives the admission call it serves.
// With `perShare`, a review asked for a share (a client address) holds at most that share's part of
// the budget: one client flooding it is refused its excess while every other client's reviews still
// find slots; a review asked for no share (the apiserver, proven or configured) may use all of it.

export interface ReviewLimitOptions {
  /** What is limited, for the refusal's message (e.g. `SubjectAccessReviews`). */
  what: string;
  /** Reviews asked at once. */
  maxInFlight: number;
  /** Reviews waiting for a slot; one more is refused at once. */
  maxQueued: number;
  /** How long a review may wait for a slot before it is refused. */
  maxWaitMs: number;
  /** What one share may hold of the above at once. Default: no shares. */
  perShare?: { maxInFlight: number; maxQueued: number };
}

/** Refused by the budget: not asked at all (the caller answers 503 and says why). */
export class ReviewLimitExceeded extends Error {
  override name = 'ReviewLimitExceeded';
}

interface Waiter {
  share: string | undefined;
  take: () => void;
}

export class ReviewLimit {
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  /** Per share: its reviews in flight and waiting. */
  private readonly shares = new Map<string, { running: number; waiting: number }>();
  /** Refusals so far (for tests and metrics). */
  refused = 0;

  constructor(readonly opts: ReviewLimitOptions) {}

  /** Runs `ask` within the budget (and `share`'s part of it), or rejects with ReviewLimitExceeded without calling it. */
  async run<T>(ask: () => Promise<T>, share?: string): Promise<T> {
    const key = this.opts.perShare ? share : undefined;
    if (this.inFlight < this.opts.maxInFlight && this.mayRun(key)) {
      this.inFlight++;
      this.count(key).running++;
    } else await this.slot(key); // a finished review hands its slot over: inFlight stays as it is
    try {
      return await ask();
    } finally {
      this.release(key);
    }
  }

  get pending(): { inFlight: number; queued: number } {
    return { inFlight: this.inFlight, queued: this.waiting.length };
  }

  private mayRun(key: string | undefined): boolean {
    return key === undefined || (this.shares.get(key)?.running ?? 0) < (this.opts.perShare?.maxInFlight ?? 0);
  }

  private count(key: string | undefined): { running: number; waiting: number } {
    if (key === undefined) return { running: 0, waiting: 0 };
    const known = this.shares.get(key);
    if (known) return known;
    const c = { running: 0, waiting: 0 };
    this.shares.set(key, c);
    return c;
  }

  private forget(key: string | undefined): void {
    const c = key === undefined ? undefined : this.shares.get(key);
    if (c && c.running === 0 && c.waiting === 0) this.shares.delete(key as string);
  }

  /** The finished review's slot goes to the first waiter whose share may run one more, else back. */
  private release(key: string | undefined): void {
    this.count(key).running--;
    this.forget(key);
    const at = this.waiting.findIndex((w) => this.mayRun(w.share));
    const next = at >= 0 ? this.waiting.splice(at, 1)[0] : undefined;
    if (!next) {
      this.inFlight--;
      return;
    }
    const c = this.count(next.share);
    c.waiting--;
    c.running++;
    next.take();
  }

  private slot(key: string | undefined): Promise<void> {
    const { what, maxInFlight, maxQueued, maxWaitMs, perShare } = this.opts;
    const mine = this.count(key);
    const shareFull = key !== undefined && perShare !== undefined && mine.waiting >= perShare.maxQueued;
    if (this.waiting.length >= maxQueued || shareFull) {
      this.refused++;
      this.forget(key);
      return Promise.reject(
        new ReviewLimitExceeded(
          shareFull
            ? `too many ${what} at once for one client address (${perShare.maxInFlight} in flight, ${perShare.maxQueued} waiting each): this client's share of the webhook's budget is spent; try again`
            : `too many ${what} at once (${maxInFlight} in flight, ${maxQueued} waiting): the webhook's budget for them is spent; try again`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        share: key,
        take: () => {
          clearTimeout(timer);
          resolve();
        },
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(waiter);
        if (at >= 0) this.waiting.splice(at, 1);
        this.count(key).waiting--;
        this.forget(key);
        this.refused++;
        reject(
          new ReviewLimitExceeded(
            `no slot for ${what} within ${maxWaitMs} ms (${maxInFlight} in flight, ${this.waiting.length} waiting); try again`,
          ),
        );
      }, maxWaitMs);
      mine.waiting++;
      this.waiting.push(waiter);
    });
  }
}
