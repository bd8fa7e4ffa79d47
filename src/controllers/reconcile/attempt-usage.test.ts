// A finished attempt's usage entry and stop (attempt-usage.ts): the agent's report without the model
// gateway, its cost capped at the run's spec.limits.maxBudgetUsd; with it, the gateway's ledger, the report kept only as `reported`, and a refusal of the
// gateway's ending the attempt BudgetExceeded naming the limit.
import t from 'tap';
import { failedJob } from '../../../test/harness/fakes/decide-world.js';
import { LedgerIndex } from '../../gateway/ledger-index.js';
import { emptyRecord, recordObject, withCall } from '../../gateway/ledger-record.js';
import type { EventSource, KubeObject } from '../../runtime/index.js';
import type { ResultRead } from '../pods/index.js';
import { attemptSpend, type FinishedAttempt, LEDGER_SETTLE_MS, ledgerSettling } from './attempt-usage.js';

const NOW = new Date('2026-11-22T10:00:00Z');
const run = { namespace: 'ns', name: 'pay-7', uid: 'run-uid' };
const ledgerAttempt = { namespace: 'ns', kind: 'TaskRun', run: 'pay-7', uid: 'run-uid', attempt: 1 };
/** What a hostile agent writes: a cost of its choosing, and no stop. */
const forged: ResultRead = {
  result: { workCompleted: true },
  usage: { costUsd: '999999999999', inputTokens: 1, turns: 3 },
};
const finished = (report: ResultRead | undefined): FinishedAttempt => ({
  kind: 'TaskRun',
  run,
  attempt: 1,
  job: failedJob,
  agent: {
    stage: 'exited',
    pod: 'job-1-abc',
    container: 'agent',
    exitCode: 1,
    finishedAt: '2026-11-22T09:58:00Z',
  },
  report,
});
const call = (costMicros: number, model = 'claude-sonnet-4-6') => ({
  provider: 'anthropic',
  model,
  priced: model,
  tokens: { input: 100, output: 20, cacheWrite: 5, cacheWrite1h: 1, cacheRead: 7 },
  costMicros,
  cut: false,
});
/** A ledger cache holding these ConfigMaps (no events: the index reads the list). */
const ledger = (...records: KubeObject[]) =>
  new LedgerIndex({ list: () => records, addHandler: () => () => {} } satisfies EventSource);

t.test(
  "without the gateway a forged cost bills at most the attempt's maxBudgetUsd, the report kept",
  async (t) => {
    const spend = attemptSpend({ ...finished(forged), limits: { maxBudgetUsd: '10' } }, undefined, NOW);
    t.same(spend.entry, {
      attempt: 1,
      finishedAt: '2026-11-22T09:58:00Z',
      costUsd: '10',
      inputTokens: 1,
      turns: 3,
      reported: forged.usage,
    });
    const honest: ResultRead = { result: {}, usage: { costUsd: '2.5', turns: 3 } };
    t.same(
      attemptSpend({ ...finished(honest), limits: { maxBudgetUsd: '10' } }, undefined, NOW).entry,
      { attempt: 1, finishedAt: '2026-11-22T09:58:00Z', costUsd: '2.5', turns: 3 },
      'within its cap: the report is the entry, nothing beside it',
    );
  },
);

t.test('without the gateway and without a maxBudgetUsd the entry is what the agent reported', async (t) => {
  const spend = attemptSpend(finished({ ...forged, stopReason: 'TurnLimitReached' }), undefined, NOW);
  t.same(spend.entry, {
    attempt: 1,
    finishedAt: '2026-11-22T09:58:00Z',
    stopReason: 'TurnLimitReached',
    costUsd: '999999999999',
    inputTokens: 1,
    turns: 3,
  });
  t.equal(spend.stopReason, 'TurnLimitReached');
  t.same(attemptSpend(finished(undefined), undefined, NOW), {}, 'nothing reported, nothing recorded');
});

t.test('with the gateway a forged cost bills nothing: the figures are the ledger', async (t) => {
  const day1 = withCall(
    withCall(emptyRecord(ledgerAttempt, '2026-11-21'), call(1_500)),
    call(2_500, 'claude-haiku-4-5'),
  );
  const day2 = withCall(emptyRecord(ledgerAttempt, '2026-11-22'), call(500));
  const other = withCall(
    emptyRecord({ ...ledgerAttempt, uid: 'earlier-run-of-this-name' }, '2026-11-22'),
    call(9e6),
  );
  const index = ledger(...[day1, day2, other].map((r) => recordObject(r, 'orchestrator-system', '1')));
  // The run's maxBudgetUsd changes nothing here: the gateway's figures are the bill.
  const spend = attemptSpend({ ...finished(forged), limits: { maxBudgetUsd: '10' } }, index, NOW);
  t.same(
    spend.entry,
    {
      attempt: 1,
      finishedAt: '2026-11-22T09:58:00Z',
      costUsd: '0.0045',
      inputTokens: 300,
      outputTokens: 60,
      cacheCreationInputTokens: 18,
      cacheReadInputTokens: 21,
      models: [
        {
          model: 'claude-haiku-4-5',
          costUsd: '0.0025',
          inputTokens: 100,
          outputTokens: 20,
          cacheCreationInputTokens: 6,
          cacheReadInputTokens: 7,
        },
        {
          model: 'claude-sonnet-4-6',
          costUsd: '0.002',
          inputTokens: 200,
          outputTokens: 40,
          cacheCreationInputTokens: 12,
          cacheReadInputTokens: 14,
        },
      ],
      reported: forged.usage,
    },
    "both days of this run object's attempt, not another run's of the same name; the report beside",
  );
  t.equal(spend.stopReason, undefined);

  const unmetered = attemptSpend(finished(forged), ledger(), NOW);
  t.same(
    unmetered.entry,
    { attempt: 1, finishedAt: '2026-11-22T09:58:00Z', costUsd: '0', reported: forged.usage },
    'an agent that reports spend the gateway never saw is recorded at $0',
  );
  t.same(attemptSpend(finished(undefined), ledger(), NOW), {}, 'no call and no report: no entry');
});

t.test("a refusal of the gateway's ends the attempt BudgetExceeded naming the limit", async (t) => {
  const refusal = 'budget "team-a" is spent: $1 of $1 (its month resets at 2026-12-01T00:00:00.000Z)';
  const record = { ...withCall(emptyRecord(ledgerAttempt, '2026-11-22'), call(1_000_000)), refusal };
  const spend = attemptSpend(finished({ result: {} }), ledger(recordObject(record, 'ops', '1')), NOW);
  t.equal(spend.stopReason, 'BudgetExceeded');
  t.equal(spend.limit, refusal);
  t.equal(spend.entry?.stopReason, 'BudgetExceeded');
  t.equal(spend.entry?.costUsd, '1');
  const agentSaid = attemptSpend(finished({ result: {}, stopReason: 'TurnLimitReached' }), ledger(), NOW);
  t.equal(agentSaid.stopReason, 'TurnLimitReached', "the agent's own stop still ends it (only sooner)");
  t.equal(agentSaid.limit, undefined);
});

t.test('the ledger is read once the Job has been finished long enough for its last record', async (t) => {
  const finishedAt = Date.parse('2026-11-22T09:59:00Z');
  t.ok(ledgerSettling(failedJob, new Date(finishedAt + LEDGER_SETTLE_MS - 1)));
  t.notOk(ledgerSettling(failedJob, new Date(finishedAt + LEDGER_SETTLE_MS)));
});
