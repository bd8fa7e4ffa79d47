// A work queue with client-go's semantics: a key is queued at most once (dirty set), a key being
// processed is never handed out again until done() (processing set), and a key added while it is
// processed goes back in the queue when done() is called, so the change that caused the add is seen.
// The design it implements: docs/design.md §1.2.
import type { Registry } from 'prom-client';
import { type Clock, realClock, type TimerHandle } from './clock.js';
import { ItemExponentialRateLimiter, type RateLimiter } from './rate-limiter.js';
import { type QueueReporter, type QueueSeries, workQueueMetrics } from './workqueue-metrics.js';

export interface WorkQueueOptions {
  /** Names the queue in metrics (both the `name` and `controller` labels, as controller-runtime does). */
  name: string;
  /** Backoff for {@link WorkQueue.addRateLimited}. Default: ItemExponentialRateLimiter (5 ms → 1000 s, jitter). */
  rateLimiter?: RateLimiter;
  /** Where the workqueue_* metrics go. Default: no metrics. */
  registry?: Registry;
  /** Default: the real monotonic clock. */
  clock?: Clock;
}

/** First-in first-out keys without the O(n) cost of Array.shift on long queues. */
class Fifo {
  private items: string[] = [];
  private head = 0;

  push(key: string): void {
    this.items.push(key);
  }

  shift(): string | undefined {
    if (this.head >= this.items.length) return undefined;
    const key = this.items[this.head++];
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return key;
  }

  get length(): number {
    return this.items.length - this.head;
  }

  clear(): void {
    this.items = [];
    this.head = 0;
  }
}

export class WorkQueue implements QueueReporter {
  readonly name: string;
  private readonly fifo = new Fifo();
  /** Each queued key, with when it was added (for queue_duration). */
  private readonly dirty = new Map<string, number>();
  /** Each key in flight, with when it was handed out (for work_duration and the in-flight gauges). */
  private readonly processing = new Map<string, number>();
  private readonly delayed = new Map<string, { readyAt: number; timer: TimerHandle }>();
  private readonly waiters: Array<(key: string | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private readonly rateLimiter: RateLimiter;
  private readonly clock: Clock;
  /** Where this queue counts for the workqueue_* metrics (shared by the queues of its name). */
  private readonly metrics: QueueSeries | undefined;
  private shuttingDown = false;

  constructor(opts: WorkQueueOptions) {
    this.name = opts.name;
    this.rateLimiter = opts.rateLimiter ?? new ItemExponentialRateLimiter();
    this.clock = opts.clock ?? realClock;
    this.metrics = opts.registry ? workQueueMetrics(opts.registry).series(opts.name) : undefined;
    this.metrics?.reporters.add(this);
  }

  /** Queues `key` unless it is already queued; a key in flight is queued again once done. */
  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    if (this.metrics) this.metrics.adds++;
    this.dirty.set(key, this.clock.nowMs());
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds `key` after `delayMs`; while a delayed add is pending, only an earlier one replaces it. */
  addAfter(key: string, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) {
      this.add(key);
      return;
    }
    const readyAt = this.clock.nowMs() + delayMs;
    const pending = this.delayed.get(key);
    if (pending) {
      if (pending.readyAt <= readyAt) return;
      this.clock.clearTimeout(pending.timer);
    }
    const timer = this.clock.setTimeout(() => {
      this.delayed.delete(key);
      this.add(key);
    }, delayMs);
    this.delayed.set(key, { readyAt, timer });
  }

  /** Adds `key` after the rate limiter's backoff for it (one more failure of `key`). */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    if (this.metrics) this.metrics.retries++;
    this.addAfter(key, this.rateLimiter.when(key));
  }

  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /**
   * The next key to process, waiting for one if the queue is empty; undefined once the queue is shut
   * down (queued keys are then abandoned: a stopping controller takes no new work).
   */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.take();
    if (key !== undefined) return Promise.resolve(key);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile it is queued again. */
  done(key: string): void {
    const started = this.processing.get(key);
    this.processing.delete(key);
    if (started !== undefined && this.metrics)
      this.metrics.workDuration.observe((this.clock.nowMs() - started) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
    if (this.processing.size === 0 && this.drainWaiters.length > 0) {
      for (const resolve of this.drainWaiters.splice(0)) resolve();
    }
  }

  /** Keys waiting to be handed out (not counting delayed adds or keys in flight). */
  len(): number {
    return this.fifo.length;
  }

  get inFlight(): number {
    return this.processing.size;
  }

  /** Stops handing out keys: pending get() calls resolve undefined, queued and delayed keys are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.delayed.values()) this.clock.clearTimeout(timer);
    this.delayed.clear();
    this.fifo.clear();
    this.dirty.clear();
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
  }

  /** Shuts down, then resolves once every key in flight has been marked done. */
  shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.drainWaiters.push(resolve));
  }

  /** Stops reporting the gauges (depth, in-flight work); call when the queue is discarded. */
  dispose(): void {
    this.shutDown();
    this.metrics?.reporters.delete(this);
  }

  unfinishedWorkSeconds(): number {
    const now = this.clock.nowMs();
    let total = 0;
    for (const started of this.processing.values()) total += now - started;
    return total / 1000;
  }

  longestRunningProcessorSeconds(): number {
    const now = this.clock.nowMs();
    let oldest = now;
    for (const started of this.processing.values()) oldest = Math.min(oldest, started);
    return (now - oldest) / 1000;
  }

  private enqueue(key: string): void {
    this.fifo.push(key);
    const waiter = this.waiters.shift();
    if (waiter) waiter(this.take());
  }

  private take(): string | undefined {
    const key = this.fifo.shift();
    if (key === undefined) return undefined;
    const now = this.clock.nowMs();
    const queued = this.dirty.get(key);
    if (queued !== undefined) this.metrics?.queueDuration.observe((now - queued) / 1000);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }
}
