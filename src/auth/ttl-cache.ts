// A bounded map whose entries expire: the memory of TokenReview and SubjectAccessReview answers. Each
// entry has its own lifetime (allowed answers live longer than denials), and the oldest entry is
// dropped when the cache is full, so a flood of distinct keys (random tokens) cannot grow it.
import { type Clock, realClock } from '../runtime/clock.js';

export interface TtlCacheOptions {
  /** Entries kept at most. Default 10,000. */
  maxEntries?: number;
  /** Default: real time. */
  clock?: Clock;
}

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number }>();
  private readonly maxEntries: number;
  private readonly clock: Clock;

  constructor(opts: TtlCacheOptions = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.clock = opts.clock ?? realClock;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V, ttlMs: number): void {
    // Re-inserted at the end, so the Map's order stays oldest-written first.
    this.entries.delete(key);
    this.entries.set(key, { value, expires: this.clock.nowMs() + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}
