// A controller: N workers pulling keys from one work queue and handing them to a reconciler, with
// controller-runtime's metrics and result handling. It runs only between start() and stop(), which the
// manager calls as leadership comes and goes; each run gets a fresh queue filled from the caches, so a
// new leader reconciles every object once before following events.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type Clock, realClock } from './clock.js';
import { type EventMapper, type EventSource, mapToSelf } from './event-handlers.js';
import { type ControllerMetrics, controllerMetrics } from './metrics.js';
import { ItemExponentialRateLimiter, type RateLimiter } from './rate-limiter.js';
import { reconcileDeadline } from './reconcile-deadline.js';
import {
  isPanic,
  isTerminalError,
  type Reconciler,
  type Request,
  requestFromKey,
  requestKey,
} from './reconciler.js';
import { WorkQueue } from './workqueue.js';

export interface ControllerOptions {
  /** Names the controller in logs and in the `controller` label of every metric. */
  name: string;
  reconciler: Reconciler;
  registry: Registry;
  logger: Logger;
  /** Workers, i.e. reconciles of different keys at once. Default 1 (controller-runtime's default). */
  maxConcurrentReconciles?: number;
  /** Builds the per-item backoff for each run's queue. Default: 5 ms → 1000 s exponential with jitter. */
  rateLimiter?: () => RateLimiter;
  /** Default: the real monotonic clock. */
  clock?: Clock;
  /**
   * The time limit of each reconcile in ms, read as each one starts (so a config reload applies): past
   * it the reconcile's signal aborts and it counts in controller_runtime_reconcile_timeouts_total.
   * Default: no limit (controller-runtime's default).
   */
  reconcileTimeoutMs?: () => number | undefined;
}

const RESULTS = ['success', 'error', 'requeue', 'requeue_after'] as const;
type ResultLabel = (typeof RESULTS)[number];

interface Run {
  queue: WorkQueue;
  abort: AbortController;
  workers: Promise<void>[];
}

export class Controller {
  readonly name: string;
  private readonly reconciler: Reconciler;
  private readonly registry: Registry;
  private readonly logger: Logger;
  private readonly workers: number;
  private readonly rateLimiter: () => RateLimiter;
  private readonly clock: Clock;
  private readonly reconcileTimeoutMs: () => number | undefined;
  private readonly metrics: ControllerMetrics;
  private readonly labels: { controller: string };
  private readonly sources: Array<{ source: EventSource; map: EventMapper }> = [];
  private run: Run | undefined;

  constructor(opts: ControllerOptions) {
    this.name = opts.name;
    this.reconciler = opts.reconciler;
    this.registry = opts.registry;
    this.logger = opts.logger.child({ controller: opts.name });
    this.workers = opts.maxConcurrentReconciles ?? 1;
    if (!Number.isInteger(this.workers) || this.workers < 1) {
      throw new RangeError(`controller ${opts.name}: maxConcurrentReconciles must be a positive integer`);
    }
    this.rateLimiter = opts.rateLimiter ?? (() => new ItemExponentialRateLimiter());
    this.clock = opts.clock ?? realClock;
    this.reconcileTimeoutMs = opts.reconcileTimeoutMs ?? (() => undefined);
    this.metrics = controllerMetrics(opts.registry);
    this.labels = { controller: opts.name };
    // controller-runtime initialises every series so that rate() and absent() work from the first scrape.
    for (const result of RESULTS) this.metrics.reconcileTotal.inc({ ...this.labels, result }, 0);
    this.metrics.reconcileErrors.inc(this.labels, 0);
    this.metrics.terminalReconcileErrors.inc(this.labels, 0);
    this.metrics.reconcilePanics.inc(this.labels, 0);
    this.metrics.reconcileTimeouts.inc(this.labels, 0);
    this.metrics.maxConcurrentReconciles.set(this.labels, this.workers);
    this.metrics.activeWorkers.set(this.labels, 0);
  }

  /** Reconciles the objects `map` derives from each change in `source` (default: the object itself). */
  watch(source: EventSource, map: EventMapper = mapToSelf): this {
    this.sources.push({ source, map });
    source.addHandler({
      onAdd: (obj) => this.enqueueAll(map(obj)),
      // Both states, since an update can move an object from one owner to another; but one add per
      // key, or a worker could take the first add before the second and reconcile twice.
      onUpdate: (oldObj, newObj) => {
        const requests = new Map([...map(oldObj), ...map(newObj)].map((r) => [requestKey(r), r]));
        this.enqueueAll([...requests.values()]);
      },
      onDelete: (obj) => this.enqueueAll(map(obj)),
    });
    return this;
  }

  get running(): boolean {
    return this.run !== undefined;
  }

  /** Starts the workers after queueing every object the sources already hold. */
  start(): void {
    if (this.run) return;
    const queue = new WorkQueue({
      name: this.name,
      rateLimiter: this.rateLimiter(),
      registry: this.registry,
      clock: this.clock,
    });
    const abort = new AbortController();
    this.run = { queue, abort, workers: [] };
    for (const { source, map } of this.sources) for (const obj of source.list()) this.enqueueAll(map(obj));
    for (let i = 0; i < this.workers; i++) this.run.workers.push(this.work(queue, abort.signal));
    this.logger.info({ workers: this.workers, queued: queue.len() }, 'controller started');
  }

  /**
   * Stops taking work and waits for in-flight reconciles, at most `timeoutMs` (default: no limit).
   * Past the limit their signal is aborted and this resolves false without waiting further.
   */
  async stop(opts: { timeoutMs?: number } = {}): Promise<boolean> {
    const run = this.run;
    if (!run) return true;
    this.run = undefined;
    const inFlight = run.queue.inFlight;
    const drained = run.queue.shutDownWithDrain().then(() => Promise.all(run.workers));
    const timeoutMs = opts.timeoutMs ?? Number.POSITIVE_INFINITY;
    let timer: NodeJS.Timeout | undefined;
    const finished = await (Number.isFinite(timeoutMs)
      ? Promise.race([
          drained.then(() => true),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ])
      : drained.then(() => true));
    clearTimeout(timer);
    if (!finished) {
      run.abort.abort(new Error(`controller ${this.name} stopped`));
      this.logger.warn(
        { timeoutMs, inFlight: run.queue.inFlight },
        'in-flight reconciles outlived the stop timeout; aborted',
      );
    }
    run.queue.dispose();
    this.logger.info({ waitedFor: inFlight, drained: finished }, 'controller stopped');
    return finished;
  }

  private enqueueAll(requests: Request[]): void {
    const queue = this.run?.queue;
    if (!queue) return;
    for (const request of requests) queue.add(requestKey(request));
  }

  private async work(queue: WorkQueue, signal: AbortSignal): Promise<void> {
    for (;;) {
      const key = await queue.get();
      if (key === undefined) return;
      await this.reconcileKey(queue, key, signal);
    }
  }

  private async reconcileKey(queue: WorkQueue, key: string, signal: AbortSignal): Promise<void> {
    const started = this.clock.nowMs();
    const logger = this.logger.child({ key });
    this.metrics.activeWorkers.inc(this.labels);
    let result: ResultLabel = 'error';
    const deadline = reconcileDeadline(signal, this.reconcileTimeoutMs(), this.clock);
    try {
      const outcome = await this.reconciler.reconcile(requestFromKey(key), {
        signal: deadline.signal,
        logger,
        retries: queue.numRequeues(key),
      });
      if (outcome?.requeueAfter !== undefined && outcome.requeueAfter > 0) {
        queue.forget(key);
        queue.addAfter(key, outcome.requeueAfter);
        result = 'requeue_after';
      } else if (outcome?.requeue) {
        queue.addRateLimited(key);
        result = 'requeue';
      } else {
        queue.forget(key);
        result = 'success';
      }
    } catch (err) {
      this.metrics.reconcileErrors.inc(this.labels);
      if (isPanic(err)) this.metrics.reconcilePanics.inc(this.labels);
      if (isTerminalError(err)) {
        this.metrics.terminalReconcileErrors.inc(this.labels);
        queue.forget(key);
        logger.error(
          { err },
          'reconcile failed with a terminal error; not retrying until the object changes',
        );
      } else {
        queue.addRateLimited(key);
        logger.error({ err, retries: queue.numRequeues(key) }, 'reconcile failed; retrying with backoff');
      }
    } finally {
      deadline.dispose();
      // Counted however the reconcile ended, as controller-runtime does: it may have finished its work.
      if (deadline.timedOut()) this.metrics.reconcileTimeouts.inc(this.labels);
      this.metrics.activeWorkers.dec(this.labels);
      this.metrics.reconcileTime.observe(this.labels, (this.clock.nowMs() - started) / 1000);
      this.metrics.reconcileTotal.inc({ ...this.labels, result });
      queue.done(key);
    }
  }
}
