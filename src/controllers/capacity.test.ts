import t from 'tap';
import {
  admit,
  Capacity,
  type CapacitySources,
  type Claim,
  RESERVATION_TTL_MS,
  type Waiter,
  waitingMessage,
} from './capacity.js';

const limits = { perService: 1, global: 3 };
const run = (
  name: string,
  service: string | undefined,
  createdAt = `2026-01-01T00:00:0${name.at(-1)}Z`,
): Waiter => ({
  key: `TaskRun/ns/${name}`,
  namespace: 'ns',
  ...(service ? { service } : {}),
  createdAt,
});

t.test('a run gets a slot while its service and the total have one free', async (t) => {
  t.equal(admit([], [], run('a1', 'pay'), limits), undefined);
  t.match(admit([run('a1', 'pay')], [], run('a2', 'pay'), limits), {
    scope: 'service',
    service: 'pay',
    limit: 1,
    running: 1,
    ahead: 0,
  });
  const three = [run('a1', 'pay'), run('b1', 'web'), run('c1', 'ops')];
  t.match(admit(three, [], run('d1', 'db'), limits), { scope: 'global', limit: 3, running: 3 });
  t.match(admit(three.slice(0, 2), [], run('d1', undefined), limits), undefined, 'no service: global only');
});

t.test('the same service in another namespace is another service', async (t) => {
  const other = { ...run('a1', 'pay'), key: 'TaskRun/other/a1', namespace: 'other' };
  t.equal(admit([other], [], run('a2', 'pay'), limits), undefined);
});

t.test('a run counted twice (Job and phase) holds one slot', async (t) => {
  const holder: Claim = { key: 'TaskRun/ns/a1', namespace: 'ns', service: 'pay' };
  t.equal(admit([holder, holder], [], run('b1', 'web'), { perService: 1, global: 2 }), undefined);
});

t.test('free slots go to the oldest waiting runs first', async (t) => {
  const waiting = [run('a3', 'pay'), run('a2', 'pay')];
  t.equal(admit([], waiting, run('a2', 'pay'), limits), undefined, 'the oldest gets it');
  t.match(
    admit([], waiting, run('a3', 'pay'), limits),
    { scope: 'service', running: 0, ahead: 1 },
    'a younger one waits behind it',
  );
  t.match(
    admit([], waiting, run('a4', 'pay'), { perService: 2, global: 10 }),
    { scope: 'service', ahead: 2 },
    'a newcomer waits behind both',
  );
  t.equal(
    admit([], waiting, run('a1', 'pay'), limits),
    undefined,
    'an older newcomer (e.g. created in the same burst) goes first',
  );
});

t.test("a run blocked by its own service's limit does not hold back other services", async (t) => {
  const holders = [run('a1', 'pay')];
  const waiting = [run('a2', 'pay')];
  t.equal(admit(holders, waiting, run('b3', 'web'), { perService: 1, global: 2 }), undefined);
  t.match(
    admit(holders, [run('b2', 'web')], run('c3', 'ops'), { perService: 1, global: 2 }),
    { scope: 'global', running: 1, ahead: 1 },
    'but an older run of another service that fits does',
  );
});

t.test('the message says which limit, how it is used and what happens next', async (t) => {
  t.equal(
    waitingMessage({ scope: 'service', service: 'payments', limit: 2, running: 2, ahead: 0 }),
    '2 of 2 runs of service "payments" are running (concurrency.perService); waiting for one to finish',
  );
  t.equal(
    waitingMessage({ scope: 'global', limit: 10, running: 9, ahead: 1 }),
    '9 of 10 runs in total are running (concurrency.global) and 1 older waiting run goes first; waiting for one to finish',
  );
  t.match(
    waitingMessage({ scope: 'global', limit: 3, running: 1, ahead: 2 }),
    /2 older waiting runs go first/,
  );
});

function fakeSources(): CapacitySources & { cached: Set<string>; held: Claim[]; queue: Waiter[] } {
  const cached = new Set<string>();
  const held: Claim[] = [];
  const queue: Waiter[] = [];
  return {
    cached,
    held,
    queue,
    holders: () => [...held],
    waiting: () => [...queue],
    jobCached: (namespace, name) => cached.has(`${namespace}/${name}`),
  };
}

t.test('a claim reserves the slot until the Job cache shows the Job', async (t) => {
  const sources = fakeSources();
  const capacity = new Capacity(sources, () => 0);
  const job = (name: string) => ({ namespace: 'ns', name });
  t.equal(capacity.claim(run('a1', 'pay'), job('a1-job'), limits), undefined);
  t.match(
    capacity.claim(run('a2', 'pay'), job('a2-job'), limits),
    { scope: 'service', running: 1 },
    'the cache does not show the first Job yet, the reservation counts',
  );
  t.equal(capacity.claim(run('a1', 'pay'), job('a1-job'), limits), undefined, 'a holder claims again');
  sources.cached.add('ns/a1-job');
  t.same(capacity.holders(), [], 'confirmed by the cache: the reservation is gone');
  sources.held.push(run('a1', 'pay'));
  t.match(
    capacity.claim(run('a2', 'pay'), job('a2-job'), limits),
    { scope: 'service' },
    'now the cache counts it',
  );
});

t.test('a released or expired reservation frees the slot', async (t) => {
  let now = 0;
  const capacity = new Capacity(fakeSources(), () => now);
  const job = { namespace: 'ns', name: 'j' };
  t.equal(capacity.claim(run('a1', 'pay'), job, limits), undefined);
  capacity.release('TaskRun/ns/a1');
  t.equal(capacity.claim(run('a2', 'pay'), job, limits), undefined);
  t.ok(capacity.claim(run('a3', 'pay'), job, limits));
  now = RESERVATION_TTL_MS + 1;
  t.equal(capacity.claim(run('a3', 'pay'), job, limits), undefined, 'the unconfirmed reservation expired');
});

t.test('of two claims for the last slot, only the first wins', async (t) => {
  const capacity = new Capacity(fakeSources(), () => 0);
  const outcomes = ['a1', 'a2'].map((name) =>
    capacity.claim(run(name, 'pay'), { namespace: 'ns', name }, limits),
  );
  t.equal(outcomes[0], undefined);
  t.ok(outcomes[1]);
});
