// A token bucket per caller: `burst` requests at once, then `ratePerSecond` on average. A bucket that
// has refilled is the same as no bucket, so full ones are dropped when the map grows: memory follows the
// callers active in the last `burst / rate` seconds, not every caller ever seen.
import { type Clock, realClock } from '../runtime/index.js';

export interface TokenBucketOptions {
  ratePerSecond: number;
  burst: number;
  /** Buckets kept before full ones are swept. Default 10,000. */
  maxKeys?: number;
  /** Default: real time. */
  clock?: Clock;
}

export type Take = { allowed: true } | { allowed: false; retryAfterSeconds: number };

export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly clock: Clock;
  private readonly maxKeys: number;

  constructor(private readonly opts: TokenBucketOptions) {
    this.clock = opts.clock ?? realClock;
    this.maxKeys = opts.maxKeys ?? 10_000;
  }

  /** Takes one token from `key`'s bucket, or says how long until one is there. */
  take(key: string): Take {
    const now = this.clock.nowMs();
    const bucket = this.buckets.get(key) ?? { tokens: this.opts.burst, at: now };
    bucket.tokens = this.refilled(bucket, now);
    bucket.at = now;
    if (this.buckets.size >= this.maxKeys) this.sweep(now);
    this.buckets.set(key, bucket);
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return { allowed: true };
    }
    return { allowed: false, retryAfterSeconds: Math.ceil((1 - bucket.tokens) / this.opts.ratePerSecond) };
  }

  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: { tokens: number; at: number }, now: number): number {
    return Math.min(this.opts.burst, bucket.tokens + ((now - bucket.at) / 1000) * this.opts.ratePerSecond);
  }

  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets)
      if (this.refilled(bucket, now) >= this.opts.burst) this.buckets.delete(key);
  }
}
