import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import type { RateLimiter } from './rate-limiter.js';
import { WorkQueue } from './workqueue.js';

function fixedLimiter(delays: number[]): RateLimiter & { forgotten: string[] } {
  const counts = new Map<string, number>();
  const forgotten: string[] = [];
  return {
    forgotten,
    when(key) {
      const n = counts.get(key) ?? 0;
      counts.set(key, n + 1);
      return delays[Math.min(n, delays.length - 1)] ?? 0;
    },
    forget(key) {
      forgotten.push(key);
      counts.delete(key);
    },
    numRequeues: (key) => counts.get(key) ?? 0,
  };
}

async function metric(registry: Registry, name: string): Promise<number> {
  return sampleSum(await registry.metrics(), name);
}

t.test('a key queued twice is handed out once', async (t) => {
  const q = new WorkQueue({ name: 'q' });
  q.add('ns/a');
  q.add('ns/a');
  q.add('ns/b');
  t.equal(q.len(), 2);
  t.equal(await q.get(), 'ns/a');
  t.equal(await q.get(), 'ns/b');
  t.equal(q.len(), 0);
});

t.test(
  'a key added while processed is not handed out again until done, then exactly once more',
  async (t) => {
    const q = new WorkQueue({ name: 'q' });
    q.add('a');
    t.equal(await q.get(), 'a');
    q.add('a');
    q.add('a');
    t.equal(q.len(), 0, 'not queued while in flight');
    let second: string | undefined;
    void q.get().then((k) => {
      second = k;
    });
    await new Promise((r) => setImmediate(r));
    t.equal(second, undefined, 'a waiting worker does not get the in-flight key');
    q.done('a');
    await new Promise((r) => setImmediate(r));
    t.equal(second, 'a', 'queued again once done');
    q.done('a');
    t.equal(q.len(), 0, 'and only once');
  },
);

t.test('addAfter delays a key; the earliest pending delay wins', async (t) => {
  const clock = new ManualClock();
  const q = new WorkQueue({ name: 'q', clock });
  q.addAfter('a', 100);
  q.addAfter('b', 100);
  q.addAfter('b', 30);
  q.addAfter('c', 30);
  q.addAfter('c', 100);
  clock.advance(29);
  t.equal(q.len(), 0);
  clock.advance(1);
  t.same([await q.get(), await q.get()], ['b', 'c'], 'b moved earlier, c kept its earlier time');
  clock.advance(69);
  t.equal(q.len(), 0);
  clock.advance(1);
  t.equal(await q.get(), 'a');
  clock.advance(1000);
  t.equal(q.len(), 0, 'the replaced delays did not fire again');
  q.addAfter('d', 0);
  t.equal(q.len(), 1, 'a zero delay adds at once');
});

t.test('addRateLimited waits the limiter delay and counts a retry; forget clears the history', async (t) => {
  const clock = new ManualClock();
  const registry = new Registry();
  const limiter = fixedLimiter([5, 10, 20]);
  const q = new WorkQueue({ name: 'q', clock, registry, rateLimiter: limiter });
  q.addRateLimited('a');
  t.equal(q.numRequeues('a'), 1);
  clock.advance(4);
  t.equal(q.len(), 0);
  clock.advance(1);
  t.equal(q.len(), 1);
  await q.get();
  q.done('a');
  q.addRateLimited('a');
  clock.advance(9);
  t.equal(q.len(), 0, 'second failure waits longer');
  clock.advance(1);
  t.equal(q.len(), 1);
  t.equal(await metric(registry, 'workqueue_retries_total'), 2);
  q.forget('a');
  t.equal(q.numRequeues('a'), 0);
  t.same(limiter.forgotten, ['a']);
});

t.test(
  'shutDown releases waiting workers, drops queued and delayed keys, and refuses new ones',
  async (t) => {
    const clock = new ManualClock();
    const q = new WorkQueue({ name: 'q', clock });
    const waiting = q.get();
    q.shutDown();
    t.equal(await waiting, undefined);
    q.add('a');
    t.equal(q.len(), 0);
    const q2 = new WorkQueue({ name: 'q2', clock });
    q2.add('x');
    q2.addAfter('y', 10);
    q2.shutDown();
    t.equal(await q2.get(), undefined, 'queued keys are not handed out after shutdown');
    t.equal(clock.pendingTimers, 0, 'delayed adds are cancelled');
  },
);

t.test('shutDownWithDrain resolves only when every in-flight key is done', async (t) => {
  const q = new WorkQueue({ name: 'q' });
  q.add('a');
  q.add('b');
  const a = await q.get();
  const b = await q.get();
  let drained = false;
  const drain = q.shutDownWithDrain().then(() => {
    drained = true;
  });
  q.done(a as string);
  await new Promise((r) => setImmediate(r));
  t.notOk(drained, 'b is still in flight');
  q.done(b as string);
  await drain;
  t.ok(drained);
  t.equal(q.len(), 0, 'a key re-added during the drain is not queued again');
});

t.test('metrics follow controller-runtime: depth, adds, durations, in-flight gauges', async (t) => {
  const clock = new ManualClock();
  const registry = new Registry();
  const q = new WorkQueue({ name: 'mirror', clock, registry });
  const text0 = await registry.metrics();
  t.match(
    text0,
    /workqueue_depth\{name="mirror",controller="mirror",priority=""\} 0/,
    'initialised to 0 with both labels, and no priority (as controller-runtime without a priority queue)',
  );
  t.match(text0, /workqueue_adds_total\{name="mirror",controller="mirror"\} 0/);
  q.add('a');
  q.add('a');
  q.add('b');
  t.equal(await metric(registry, 'workqueue_depth'), 2);
  t.equal(await metric(registry, 'workqueue_adds_total'), 2, 'a duplicate add is not an add');
  clock.advance(250);
  await q.get();
  t.equal(await metric(registry, 'workqueue_depth'), 1);
  clock.advance(1500);
  await q.get();
  clock.advance(500);
  t.equal(await metric(registry, 'workqueue_unfinished_work_seconds'), 2.5, 'a 2 s + b 0.5 s in flight');
  t.equal(await metric(registry, 'workqueue_longest_running_processor_seconds'), 2);
  q.done('a');
  q.done('b');
  t.equal(await metric(registry, 'workqueue_queue_duration_seconds_count'), 2);
  t.equal(await metric(registry, 'workqueue_work_duration_seconds_count'), 2);
  t.equal(await metric(registry, 'workqueue_unfinished_work_seconds'), 0);
  const text = await registry.metrics();
  t.match(
    text,
    /workqueue_queue_duration_seconds_sum\{name="mirror",controller="mirror"\} 2/,
    '0.25 s + 1.75 s',
  );
  t.match(
    text,
    /workqueue_work_duration_seconds_sum\{name="mirror",controller="mirror"\} 2\.5/,
    '2 s + 0.5 s',
  );
});

t.test(
  "a queue's fresh successor of the same name continues its series; a disposed one's gauges are 0",
  async (t) => {
    const clock = new ManualClock();
    const registry = new Registry();
    const first = new WorkQueue({ name: 'mirror', clock, registry });
    first.add('a');
    first.add('b');
    await first.get();
    clock.advance(3000);
    t.equal(await metric(registry, 'workqueue_longest_running_processor_seconds'), 3);
    first.dispose();
    t.equal(await metric(registry, 'workqueue_depth'), 0, 'its queued key is dropped');
    t.equal(await metric(registry, 'workqueue_unfinished_work_seconds'), 0);
    t.equal(await metric(registry, 'workqueue_longest_running_processor_seconds'), 0);
    const second = new WorkQueue({ name: 'mirror', clock, registry });
    second.add('a');
    second.addRateLimited('c');
    t.equal(await metric(registry, 'workqueue_adds_total'), 3, 'counters go on, as a controller restarts');
    t.equal(await metric(registry, 'workqueue_retries_total'), 1);
    t.equal(await metric(registry, 'workqueue_depth'), 1);
    t.equal(
      await metric(registry, 'workqueue_queue_duration_seconds_count'),
      1,
      'the first queue observed once',
    );
    second.dispose();
  },
);
