import t from 'tap';
import { waiterOf } from '../../../test/harness/fakes/claims.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { Capacity, type CapacitySources, RESERVATION_TTL_MS } from './capacity.js';
import type { Claim, Waiter } from './claim.js';
import { HolderTally } from './tally.js';

const limits = { perService: 1, global: 3 };
const run = (name: string, service: string) => waiterOf(name, service);

function fakeSources(): CapacitySources & { cached: Set<string>; held: Claim[]; queue: Waiter[] } {
  const cached = new Set<string>();
  const held: Claim[] = [];
  const queue: Waiter[] = [];
  let changes = 0;
  return {
    cached,
    held,
    queue,
    holders: () => HolderTally.of(held),
    // The lists change under the test's hands: never the same state twice (no pass reused).
    version: () => ++changes,
    waiting: () => [...queue],
    jobCached: (namespace, name) => cached.has(`${namespace}/${name}`),
  };
}

t.test('a claim reserves the slot until the Job cache shows the Job', async (t) => {
  const sources = fakeSources();
  const capacity = new Capacity(sources, new ManualClock());
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
  const clock = new ManualClock();
  const capacity = new Capacity(fakeSources(), clock);
  const job = { namespace: 'ns', name: 'j' };
  t.equal(capacity.claim(run('a1', 'pay'), job, limits), undefined);
  capacity.release(run('a1', 'pay').key);
  t.equal(capacity.claim(run('a2', 'pay'), job, limits), undefined);
  t.ok(capacity.claim(run('a3', 'pay'), job, limits));
  clock.advanceTo(RESERVATION_TTL_MS + 1);
  t.equal(capacity.claim(run('a3', 'pay'), job, limits), undefined, 'the unconfirmed reservation expired');
});

t.test('of two claims for the last slot, only the first wins', async (t) => {
  const capacity = new Capacity(fakeSources(), new ManualClock());
  const outcomes = ['a1', 'a2'].map((name) =>
    capacity.claim(run(name, 'pay'), { namespace: 'ns', name }, limits),
  );
  t.equal(outcomes[0], undefined);
  t.ok(outcomes[1]);
});

t.test("a pass over the waiting runs is reused until the sources' version changes", async (t) => {
  const held: Claim[] = [run('a1', 'pay')];
  let version = 1;
  const sources: CapacitySources = {
    holders: () => HolderTally.of(held),
    waiting: () => [run('b2', 'pay')],
    jobCached: () => false,
    version: () => version,
  };
  const capacity = new Capacity(sources, new ManualClock());
  const job = { namespace: 'ns', name: 'j' };
  t.match(capacity.claim(run('b2', 'pay'), job, limits), { scope: 'service', running: 1 });
  t.match(capacity.claim(run('c3', 'pay'), job, limits), { scope: 'service', running: 1, ahead: 0 });
  held.length = 0;
  t.match(capacity.claim(run('b2', 'pay'), job, limits), { scope: 'service' }, 'same version: same pass');
  version++;
  t.equal(capacity.claim(run('b2', 'pay'), job, limits), undefined, 'a new version: a new pass');
  t.match(
    capacity.claim(run('c3', 'pay'), job, limits),
    { scope: 'service', running: 1 },
    "b2's reservation is a change too",
  );
});

t.test(
  "a holder's reservation counts under its own workspace and service until the Job is cached",
  async (t) => {
    const sources = fakeSources();
    // A retry: held by its status, under the workspace and service its last event gave it.
    sources.held.push(waiterOf('a1', 'pay', 'old-ws'));
    const capacity = new Capacity(sources, new ManualClock());
    const retry = waiterOf('a1', 'orders', 'new-ws');
    t.equal(capacity.claim(retry, { namespace: 'ns', name: 'a1-2' }, {}), undefined, 'a holder claims again');
    t.match(
      capacity.claim(waiterOf('b2', undefined, 'new-ws'), { namespace: 'ns', name: 'b2-1' }, {}),
      { scope: 'workspace', workspace: 'new-ws', holder: 'TaskRun/a1', next: false },
      'the workspace its new Job mounts is taken',
    );
    t.match(
      capacity.claim(waiterOf('c3', 'orders'), { namespace: 'ns', name: 'c3-1' }, { perService: 1 }),
      { scope: 'service', service: 'orders', running: 1 },
      'and it runs in its new service',
    );
    t.match(
      capacity.claim(waiterOf('d4', 'pay'), { namespace: 'ns', name: 'd4-1' }, { perService: 1 }),
      { scope: 'service', service: 'pay', running: 1 },
      'as in its old one, until the caches catch up',
    );
  },
);
