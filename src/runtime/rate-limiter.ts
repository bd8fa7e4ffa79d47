import { type BackoffPolicy, backoffDelay } from './backoff.js';

/** Decides how long a failed work-queue item waits before it is retried. */
export interface RateLimiter {
  /** Delay in ms before `key` may be processed again; counts one more failure of `key`. */
  when(key: string): number;
  /** Clears the failure history of `key` (called after a success). */
  forget(key: string): void;
  /** How many times `key` has failed since it was last forgotten. */
  numRequeues(key: string): number;
}

export interface ItemExponentialRateLimiterOptions {
  /** Delay after the first failure. Default 5 ms (client-go's DefaultControllerRateLimiter). */
  baseDelayMs?: number;
  /** Cap on any delay. Default 1000 s (client-go's DefaultControllerRateLimiter). */
  maxDelayMs?: number;
  /** Share of each delay randomly taken off, 0–1 (see {@link BackoffPolicy.jitter}). Default 0.2. */
  jitter?: number;
  /** Source of randomness in [0, 1). Default Math.random. */
  random?: () => number;
}

/** Per-item exponential backoff: base × 2^failures, capped, with jitter; each key has its own count. */
export class ItemExponentialRateLimiter implements RateLimiter {
  private readonly failures = new Map<string, number>();
  private readonly policy: BackoffPolicy;
  private readonly random: () => number;

  constructor(opts: ItemExponentialRateLimiterOptions = {}) {
    this.policy = {
      initialMs: opts.baseDelayMs ?? 5,
      maxMs: opts.maxDelayMs ?? 1_000_000,
      jitter: opts.jitter ?? 0.2,
    };
    if (this.policy.initialMs <= 0 || this.policy.maxMs < this.policy.initialMs) {
      throw new RangeError('rate limiter: need 0 < baseDelayMs ≤ maxDelayMs');
    }
    if (this.policy.jitter < 0 || this.policy.jitter > 1)
      throw new RangeError('rate limiter: jitter must be in [0, 1]');
    this.random = opts.random ?? Math.random;
  }

  when(key: string): number {
    const failures = this.failures.get(key) ?? 0;
    this.failures.set(key, failures + 1);
    return backoffDelay(failures, this.policy, this.random);
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  numRequeues(key: string): number {
    return this.failures.get(key) ?? 0;
  }
}
