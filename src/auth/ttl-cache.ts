// A bounded map whose entries expire: the memory of TokenReview and SubjectAccessReview answers. Each
// entry has its own lifetime (allowed answers live longer than denials), and the oldest entries are
// dropped when the cache is full, in entries or in bytes: a flood of distinct keys (random tokens,
// forged requesters) cannot grow it, nor can a few large answers. Keys are meant to be digests
// (kube-reviewer.ts), so a key costs what its digest does, never what the question did.
import { type Clock, realClock } from '../runtime/index.js';

export interface TtlCacheOptions<V = unknown> {
  /** Entries kept at most. Default 10,000. */
  maxEntries?: number;
  /** Bytes kept at most, as `sizeOf` counts them with the key and a fixed overhead. Default 4 MiB. */
  maxBytes?: number;
  /** An entry's value in bytes. Default 64 (a small object). */
  sizeOf?: (value: V) => number;
  /** Default: real time. */
  clock?: Clock;
}

/** What a Map entry with its expiry costs beyond the key and value (measured order of magnitude). */
export const ENTRY_OVERHEAD_BYTES = 96;

export class TtlCache<T> {
  private readonly entries = new Map<string, { value: T; expires: number; bytes: number }>();
  private readonly maxEntries: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: T) => number;
  private readonly clock: Clock;
  private held = 0;

  constructor(opts: TtlCacheOptions<T> = {}) {
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.maxBytes = opts.maxBytes ?? 4 * 1024 * 1024;
    this.sizeOf = opts.sizeOf ?? (() => 64);
    this.clock = opts.clock ?? realClock;
  }

  get(key: string): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.clock.nowMs()) {
      this.drop(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, ttlMs: number): void {
    // UTF-16 strings: two bytes a character.
    const bytes = 2 * key.length + this.sizeOf(value) + ENTRY_OVERHEAD_BYTES;
    // Re-inserted at the end, so the Map's order stays oldest-written first.
    this.drop(key);
    // One answer larger than the whole budget is not kept at all.
    if (bytes > this.maxBytes) return;
    this.entries.set(key, { value, expires: this.clock.nowMs() + ttlMs, bytes });
    this.held += bytes;
    while (this.entries.size > this.maxEntries || this.held > this.maxBytes) {
      this.drop(this.entries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  /** Bytes held, as counted against maxBytes. */
  get bytes(): number {
    return this.held;
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.held -= entry.bytes;
  }
}
