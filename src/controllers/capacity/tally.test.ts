import t from 'tap';
import { waiterOf } from '../../../test/harness/fakes/claims.js';
import { Allocation, UNDECIDED } from './allocation.js';
import type { Limits, Waiter } from './claim.js';
import { HolderTally } from './tally.js';

t.test('a run held through several sources counts once, under every scope its claims name', async (t) => {
  const tally = new HolderTally();
  const byJob = waiterOf('a1', 'pay', 'ws-job');
  tally.set('Job/ns/a1-1', byJob.key, byJob);
  tally.set('status', byJob.key, { ...byJob, workspace: 'ws-spec' });
  t.equal(tally.count, 1);
  t.equal(tally.running('ns/pay'), 1);
  t.equal(tally.user('ns/ws-job'), 'TaskRun/a1', "the Job's workspace is taken");
  t.equal(tally.user('ns/ws-spec'), 'TaskRun/a1', "and the spec's");
  tally.set('Job/ns/a1-1', byJob.key, undefined);
  t.equal(tally.user('ns/ws-job'), undefined, 'the Job ended: its workspace is free');
  t.equal(tally.count, 1, 'the status still holds');
  tally.set('status', byJob.key, undefined);
  t.same([tally.count, tally.running('ns/pay'), tally.holds(byJob.key)], [0, 0, false]);
  t.same(tally.claims(), []);
});

t.test('only a change of a claim is a new version', async (t) => {
  const tally = new HolderTally();
  const a = waiterOf('a1', 'pay', 'ws');
  tally.set('status', a.key, a);
  const version = tally.version;
  tally.set('status', a.key, { ...a });
  tally.set('other', 'nobody', undefined);
  t.equal(tally.version, version, 'the same claim again, a withdrawal of nothing');
  tally.set('status', a.key, { ...a, service: 'orders' });
  t.not(tally.version, version);
  t.same([tally.running('ns/pay'), tally.running('ns/orders')], [0, 1], 'the service moved');
});

/** A small random world: holders and waiters over few services and workspaces. */
function world(seed: number): { holders: Waiter[]; waiting: Waiter[]; candidates: Waiter[]; limits: Limits } {
  let x = seed;
  const rand = (n: number) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
  const claimant = (i: number) => {
    const w = waiterOf(
      `r${i}`,
      ['pay', 'orders', undefined][rand(3)],
      ['w1', 'w2', 'w3', undefined][rand(4)],
    );
    return { ...w, createdAt: `2026-01-01T00:00:${String(rand(60)).padStart(2, '0')}Z` };
  };
  const all = Array.from({ length: 12 }, (_, i) => claimant(i));
  const limits: Limits = {
    ...(rand(2) ? { perService: 1 + rand(3) } : {}),
    ...(rand(2) ? { global: 2 + rand(6) } : {}),
  };
  return { holders: all.slice(0, 3), waiting: all.slice(3, 8), candidates: all.slice(3), limits };
}

t.test('one pass answers as a pass of its own for each waiter and each newer run', async (t) => {
  let decided = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const { holders, waiting, candidates, limits } = world(seed);
    const view = HolderTally.of(holders);
    const shared = new Allocation(view, waiting, limits);
    for (const candidate of candidates) {
      const fromShared = shared.decide(candidate);
      if (fromShared === UNDECIDED) continue;
      decided++;
      const own = new Allocation(view, [...waiting, candidate], limits).decide(candidate);
      if (JSON.stringify(fromShared) !== JSON.stringify(own))
        t.fail(`seed ${seed}, ${candidate.run}: ${JSON.stringify(fromShared)} ≠ ${JSON.stringify(own)}`);
    }
  }
  t.ok(decided > 1000, `the shared pass decided ${decided} claims`);
});

t.test('a run older than a waiter, and not waiting itself, is left to a pass of its own', async (t) => {
  const waiting = [waiterOf('b5', 'pay', 'w1')];
  const pass = new Allocation(HolderTally.of([]), waiting, {});
  t.equal(pass.decide(waiterOf('a1', 'pay', 'w1')), UNDECIDED);
  t.match(pass.decide(waiterOf('c9', 'pay', 'w1')), { scope: 'workspace', holder: 'TaskRun/b5', next: true });
  t.equal(pass.decide(waiterOf('b5', 'pay', 'w1')), undefined, 'the waiter itself goes first');
  t.equal(pass.decide(waiterOf('b5', 'pay', 'w2')), UNDECIDED, 'a waiter whose claim changed');
});
