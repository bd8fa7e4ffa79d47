// Budgets (budgets.ts, spend-index.ts): the sum of the covered namespaces' spend in the window (its
// rules: src/api/budget-window.ts), and the refusal naming the budget, spend and reset.
import t from 'tap';
import type { ControllerConfig } from '../../api/index.js';
import { emptyRecord, recordObject, withCall } from '../../gateway/ledger-record.js';
import type { EventSource, KubeObject } from '../../runtime/index.js';
import { budgetMessage, budgetRefusal, standing } from './budgets.js';
import { ledgerSpends, runSpends, SpendIndex } from './spend-index.js';

type Budgets = NonNullable<ControllerConfig['budgets']>;
const now = new Date('2026-11-24T10:00:00Z'); // a Tuesday

/** A run cache of plain objects whose events the test sends. */
function runs(initial: KubeObject[]) {
  const handlers: Array<Parameters<EventSource['addHandler']>[0]> = [];
  const source: EventSource = {
    list: () => initial,
    addHandler: (h) => {
      handlers.push(h);
      return () => {};
    },
  };
  const update = (obj: KubeObject) => {
    for (const h of handlers) h.onUpdate?.(obj, obj);
  };
  const remove = (obj: KubeObject) => {
    for (const h of handlers) h.onDelete?.(obj);
  };
  return { source, update, remove };
}
const run = (namespace: string, name: string, spends: Array<[string, string]>): KubeObject => ({
  metadata: { namespace, name },
  status: {
    attemptUsage: spends.map(([finishedAt, costUsd], i) => ({ attempt: i + 1, finishedAt, costUsd })),
  },
});

t.test("a budget sums its namespaces' spend in its window and refuses once spent", async (t) => {
  const cache = runs([
    run('team-a', 'one', [
      ['2026-10-31T23:00:00Z', '100'],
      ['2026-11-02T00:00:00Z', '6'],
    ]),
    run('team-b', 'two', [['2026-11-03T00:00:00Z', '3.5']]),
    run('other', 'three', [['2026-11-03T00:00:00Z', '50']]),
  ]);
  const index = new SpendIndex([runSpends('TaskRun', cache.source)]);
  const budgets: Budgets = [
    { name: 'teams', namespaces: ['team-a', 'team-b'], limitUsd: '10', window: 'month' },
  ];
  t.equal(budgetRefusal(budgets, index, 'team-a', now), undefined, '$9.50 of $10: October does not count');
  cache.update(
    run('team-b', 'two', [
      ['2026-11-03T00:00:00Z', '3.5'],
      ['2026-11-04T00:00:00Z', '0.5'],
    ]),
  );
  const refusal = budgetRefusal(budgets, index, 'team-b', now);
  t.same(refusal, {
    budget: 'teams',
    spentUsd: '10',
    limitUsd: '10',
    window: 'month',
    resetsAt: new Date('2026-12-01T00:00:00Z'),
    source: 'SelfReported',
  });
  t.equal(
    refusal && budgetMessage(2, refusal),
    "attempt 2 waits: budget teams has spent $10 of $10 this month (self-reported: the sum of what its runs' agents reported, each attempt at most its spec.limits.maxBudgetUsd, as the model gateway is off); it resets at 2026-12-01T00:00:00.000Z (budgets in the controller config: raise limitUsd, or set notBefore to start the window afresh)",
  );
  t.equal(budgetRefusal(budgets, index, 'other', now), undefined, 'a namespace the budget does not cover');
  t.ok(
    budgetRefusal([{ name: 'all', limitUsd: '50', window: 'month' }], index, 'anywhere', now),
    'a budget naming no namespace covers all',
  );
  t.equal(
    budgetRefusal([{ ...budgets[0], notBefore: '2026-11-04T00:00:00Z' } as Budgets[0]], index, 'team-a', now),
    undefined,
    'notBefore starts afresh',
  );
});

t.test('with the gateway a budget sums the ledger: deleting runs gives nothing back', async (t) => {
  const record = (namespace: string, run: string, day: string, micros: number) =>
    recordObject(
      withCall(emptyRecord({ namespace, kind: 'CodeRun', run, uid: `${run}-uid`, attempt: 1 }, day), {
        provider: 'anthropic',
        model: 'claude-sonnet-4-6',
        priced: 'claude-sonnet-4-6',
        tokens: { input: 1, output: 1, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 },
        costMicros: micros,
        cut: false,
      }),
      'orchestrator-system',
      '1',
    );
  const spender = run('team-a', 'spender', [['2026-11-02T00:00:00Z', '0.01']]);
  const runCache = runs([spender]);
  const ledger = runs([
    record('team-a', 'spender', '2026-11-02', 6_000_000),
    record('team-a', 'other', '2026-10-31', 100_000_000),
  ]);
  const index = new SpendIndex([ledgerSpends(ledger.source)]);
  const budgets: Budgets = [{ name: 'teams', namespaces: ['team-a'], limitUsd: '10', window: 'month' }];
  t.equal(budgetRefusal(budgets, index, 'team-a', now), undefined, '$6 of $10, whatever the runs say');
  runCache.remove(spender);
  const later = record('team-a', 'spender', '2026-11-24', 4_000_000);
  ledger.update(later);
  const refusal = budgetRefusal(budgets, index, 'team-a', now);
  t.same(refusal?.spentUsd, '10', 'spent, the run deleted or not');
  t.equal(refusal?.source, 'Gateway');
  t.equal(
    refusal && budgetMessage(1, refusal),
    'attempt 1 waits: budget teams has spent $10 of $10 this month; it resets at 2026-12-01T00:00:00.000Z (budgets in the controller config: raise limitUsd, or set notBefore to start the window afresh)',
    "the gateway's figures go without saying",
  );
  const midDay = { ...budgets[0], notBefore: '2026-11-24T09:00:00Z' } as Budgets[0];
  t.same(
    budgetRefusal([midDay], index, 'team-a', now)?.spentUsd,
    undefined,
    'a window from 09:00 counts that whole day ($4 of $10), as the gateway does',
  );
  t.equal(standing(midDay, index, now).spent, 4_000_000);
  ledger.remove(later);
  t.equal(standing(budgets[0] as Budgets[0], index, now).spent, 6_000_000, 'a pruned record leaves the sum');
});
