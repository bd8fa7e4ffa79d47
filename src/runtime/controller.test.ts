import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { Controller, type ControllerOptions } from './controller.js';
import type { EventSource, ResourceEventHandler } from './event-handlers.js';
import type { KubeObject } from './object.js';
import { ItemExponentialRateLimiter } from './rate-limiter.js';
import {
  type ReconcileContext,
  type Reconciler,
  type Request,
  requestKey,
  TerminalError,
} from './reconciler.js';

const logger = pino({ level: 'silent' });

/** A cache with change notifications, standing in for an informer. */
class FakeSource implements EventSource {
  private readonly objects = new Map<string, KubeObject>();
  private readonly handlers = new Set<ResourceEventHandler>();

  list(): KubeObject[] {
    return [...this.objects.values()];
  }

  addHandler(handler: ResourceEventHandler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  put(name: string): void {
    const obj = { metadata: { namespace: 'ns', name } };
    const previous = this.objects.get(name);
    this.objects.set(name, obj);
    for (const h of this.handlers) previous ? h.onUpdate?.(previous, obj) : h.onAdd?.(obj);
  }
}

type ReconcileFn = (request: Request, context: ReconcileContext) => ReturnType<Reconciler['reconcile']>;

function setup(reconcile: ReconcileFn, opts: Partial<ControllerOptions> = {}) {
  const registry = new Registry();
  const source = new FakeSource();
  const controller = new Controller({
    name: 'test',
    reconciler: { reconcile },
    registry,
    logger,
    rateLimiter: () => new ItemExponentialRateLimiter({ baseDelayMs: 1, maxDelayMs: 4 }),
    ...opts,
  }).watch(source);
  const value = async (name: string, labels: Record<string, string> = {}) =>
    sampleSum(await registry.metrics(), name, labels);
  return { registry, source, controller, value };
}

/** The conditions below can be brief (three workers busy at once): check them often. */
const quick = { intervalMs: 1 };

t.test('every series starts at 0 and the worker count is published', async (t) => {
  const { value } = setup(async () => undefined, { maxConcurrentReconciles: 4 });
  for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
    t.equal(await value('controller_runtime_reconcile_total', { controller: 'test', result }), 0, result);
  }
  t.equal(await value('controller_runtime_reconcile_errors_total'), 0);
  t.equal(await value('controller_runtime_terminal_reconcile_errors_total'), 0);
  t.equal(await value('controller_runtime_max_concurrent_reconciles'), 4);
  t.equal(await value('controller_runtime_active_workers'), 0);
});

t.test(
  'objects cached before start are reconciled on start; events before start are not queued',
  async (t) => {
    const seen: string[] = [];
    const { source, controller, value } = setup(async (req) => {
      seen.push(requestKey(req));
    });
    source.put('a');
    source.put('b');
    controller.start();
    await waitFor('the replay', () => seen.length === 2, quick);
    source.put('c');
    await waitFor('the event', () => seen.length === 3, quick);
    t.same(seen.sort(), ['ns/a', 'ns/b', 'ns/c']);
    t.equal(await value('controller_runtime_reconcile_total', { result: 'success' }), 3);
    await controller.stop();
  },
);

t.test('a failing reconcile is retried with backoff until it succeeds, then forgotten', async (t) => {
  const retries: number[] = [];
  const { source, controller, value } = setup(async (_req, ctx) => {
    retries.push(ctx.retries);
    if (retries.length < 3) throw new Error('apiserver unavailable');
  });
  source.put('a');
  controller.start();
  await waitFor('three attempts', () => retries.length === 3, quick);
  await sleep(30);
  t.same(retries, [0, 1, 2], 'the context counts failures; no attempt after the success');
  t.equal(await value('controller_runtime_reconcile_total', { result: 'error' }), 2);
  t.equal(await value('controller_runtime_reconcile_total', { result: 'success' }), 1);
  t.equal(await value('controller_runtime_reconcile_errors_total'), 2);
  t.equal(await value('workqueue_retries_total'), 2);
  source.put('a');
  await waitFor('the next event', () => retries.length === 4, quick);
  t.equal(retries[3], 0, 'success forgot the failures');
  await controller.stop();
});

t.test('a terminal error is counted and not retried until the object changes', async (t) => {
  let calls = 0;
  const { source, controller, value } = setup(async () => {
    calls++;
    throw new TerminalError('spec.repository.url is not a URL');
  });
  source.put('a');
  controller.start();
  await waitFor('the first attempt', () => calls === 1, quick);
  await sleep(50);
  t.equal(calls, 1, 'no retry, although a retry would come after at most 4 ms');
  t.equal(await value('controller_runtime_terminal_reconcile_errors_total'), 1);
  t.equal(await value('controller_runtime_reconcile_errors_total'), 1);
  t.equal(await value('workqueue_retries_total'), 0);
  source.put('a');
  await waitFor('a new event', () => calls === 2, quick);
  await controller.stop();
});

t.test('requeueAfter reconciles again after that delay; requeue uses the backoff', async (t) => {
  const clock = new ManualClock();
  const seen: string[] = [];
  const { source, controller, value } = setup(
    async (req) => {
      seen.push(req.name);
      if (req.name === 'later' && seen.filter((n) => n === 'later').length === 1)
        return { requeueAfter: 60_000 };
      if (req.name === 'again' && seen.filter((n) => n === 'again').length === 1) return { requeue: true };
      return {};
    },
    { clock },
  );
  source.put('later');
  source.put('again');
  controller.start();
  await waitFor('the first reconciles', () => seen.length === 2, quick);
  clock.advance(4);
  await waitFor('the backoff requeue', () => seen.length === 3, quick);
  t.equal(seen[2], 'again');
  clock.advance(59_000);
  await sleep(20);
  t.equal(seen.length, 3, 'not before the requested delay');
  clock.advance(1_000);
  await waitFor('the delayed requeue', () => seen.length === 4, quick);
  t.equal(seen[3], 'later');
  t.equal(await value('controller_runtime_reconcile_total', { result: 'requeue_after' }), 1);
  t.equal(await value('controller_runtime_reconcile_total', { result: 'requeue' }), 1);
  await controller.stop();
});

t.test(
  'no more than maxConcurrentReconciles run at once, and one key never runs twice at once',
  async (t) => {
    let running = 0;
    let peak = 0;
    const perKey = new Map<string, number>();
    let overlap = false;
    const { source, controller, value } = setup(
      async (req) => {
        running++;
        peak = Math.max(peak, running);
        perKey.set(req.name, (perKey.get(req.name) ?? 0) + 1);
        if ((perKey.get(req.name) ?? 0) > 1) overlap = true;
        await sleep(15);
        perKey.set(req.name, (perKey.get(req.name) ?? 0) - 1);
        running--;
      },
      { maxConcurrentReconciles: 3 },
    );
    controller.start();
    for (let i = 0; i < 12; i++) source.put(`k${i}`);
    await waitFor('three workers busy', () => running === 3, quick);
    t.equal(await value('controller_runtime_active_workers'), 3);
    // Re-add keys while they are being processed.
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 12; i++) source.put(`k${i}`);
      await sleep(5);
    }
    await waitFor('the queue to empty', () => running === 0 && controller.running, quick);
    await sleep(40);
    t.equal(peak, 3, 'the bound was reached and never exceeded');
    t.notOk(overlap, 'no key was reconciled twice at once');
    await controller.stop();
  },
);

t.test('stop waits for in-flight reconciles and then takes no more work', async (t) => {
  let release: () => void = () => undefined;
  const started: string[] = [];
  let finished = 0;
  const { source, controller } = setup(async (req) => {
    started.push(req.name);
    await new Promise<void>((resolve) => {
      release = resolve;
    });
    finished++;
  });
  source.put('a');
  source.put('b');
  controller.start();
  await waitFor('the first reconcile', () => started.length === 1, quick);
  let stopped = false;
  const stopping = controller.stop().then((drained) => {
    stopped = drained;
  });
  await sleep(20);
  t.notOk(stopped, 'still waiting for the in-flight reconcile');
  source.put('c');
  release();
  await stopping;
  t.ok(stopped, 'drained');
  t.equal(finished, 1);
  t.same(started, ['a'], 'neither the queued b nor the new c started');
  t.notOk(controller.running);
});

t.test('stop gives up after its timeout and aborts the in-flight reconcile', async (t) => {
  let signal: AbortSignal | undefined;
  const { source, controller } = setup(async (_req, ctx) => {
    signal = ctx.signal;
    await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
  });
  source.put('a');
  controller.start();
  await waitFor('the reconcile', () => signal !== undefined, quick);
  t.equal(await controller.stop({ timeoutMs: 30 }), false, 'not drained');
  t.ok(signal?.aborted, 'the reconcile was told to stop');
});

t.test('a bug in a reconcile (TypeError, a thrown non-Error) counts as a panic and is retried', async (t) => {
  const thrown: unknown[] = [new TypeError("Cannot read properties of undefined (reading 'spec')"), 'oops'];
  let calls = 0;
  const { source, controller, value } = setup(async () => {
    calls++;
    if (calls === 1) throw new Error('apiserver unavailable');
    if (calls <= 3) throw thrown[calls - 2];
  });
  t.equal(await value('controller_runtime_reconcile_panics_total', { controller: 'test' }), 0, 'starts at 0');
  source.put('a');
  controller.start();
  await waitFor('the success after the panics', () => calls === 4, quick);
  await controller.stop();
  t.equal(await value('controller_runtime_reconcile_panics_total'), 2, 'an ordinary error is no panic');
  t.equal(await value('controller_runtime_reconcile_errors_total'), 3, 'a panic is an error too');
  t.equal(await value('controller_runtime_reconcile_total', { result: 'success' }), 1, 'and it was retried');
});

t.test(
  'a reconcile past its time limit is aborted, counted and retried; the limit is read per reconcile',
  async (t) => {
    const clock = new ManualClock();
    let limitMs: number | undefined = 1000;
    const reasons: unknown[] = [];
    let calls = 0;
    const { source, controller, value } = setup(
      async (_req, ctx) => {
        calls++;
        if (calls > 1) return;
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
        reasons.push(ctx.signal.reason);
        throw ctx.signal.reason;
      },
      { clock, reconcileTimeoutMs: () => limitMs },
    );
    t.equal(
      await value('controller_runtime_reconcile_timeouts_total', { controller: 'test' }),
      0,
      'starts at 0',
    );
    source.put('a');
    controller.start();
    await waitFor('the first reconcile', () => calls === 1, quick);
    clock.advance(999);
    await sleep(10);
    t.equal(reasons.length, 0, 'not aborted before its limit');
    clock.advance(1);
    await waitFor('the abort', () => reasons.length === 1, quick);
    t.match(reasons[0], { name: 'ReconcileTimeoutError', message: /within 1000 ms/ });
    clock.advance(5);
    await waitFor('the retry', () => calls === 2, quick);
    t.equal(await value('controller_runtime_reconcile_timeouts_total'), 1);
    t.equal(await value('controller_runtime_reconcile_errors_total'), 1);
    t.equal(await value('controller_runtime_reconcile_panics_total'), 0, 'a timeout is no panic');

    limitMs = undefined;
    let unlimited: AbortSignal | undefined;
    const second = setup(
      async (_req, ctx) => {
        unlimited = ctx.signal;
      },
      { clock, reconcileTimeoutMs: () => limitMs },
    );
    second.source.put('b');
    second.controller.start();
    await waitFor('the reconcile without a limit', () => unlimited !== undefined, quick);
    clock.advance(1_000_000);
    t.notOk(unlimited?.aborted, 'no limit, no abort');
    await Promise.all([controller.stop(), second.controller.stop()]);
    t.equal(await second.value('controller_runtime_reconcile_timeouts_total'), 0);
  },
);

t.test('a limited reconcile still hears the stop', async (t) => {
  let signal: AbortSignal | undefined;
  const { source, controller, value } = setup(
    async (_req, ctx) => {
      signal = ctx.signal;
      await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
    },
    { reconcileTimeoutMs: () => 3_600_000 },
  );
  source.put('a');
  controller.start();
  await waitFor('the reconcile', () => signal !== undefined, quick);
  t.equal(await controller.stop({ timeoutMs: 30 }), false, 'not drained');
  t.ok(signal?.aborted, 'the stop reached the reconcile through its limited signal');
  t.notMatch(signal?.reason, { name: 'ReconcileTimeoutError' });
  await waitFor(
    'the worker to return',
    async () => (await value('controller_runtime_active_workers')) === 0,
    quick,
  );
  t.equal(await value('controller_runtime_reconcile_timeouts_total'), 0, 'a stop is no timeout');
});
