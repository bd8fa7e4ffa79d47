// decide() recording what an attempt's agent reported it spent (status.usage, status.attemptUsage) and
// ending a run that a limit stopped. The world it is given: test/harness/fakes/decide-world.ts.
import t from 'tap';
import {
  at,
  exited,
  facts,
  failedJob,
  kinds,
  run,
  written,
} from '../../../test/harness/fakes/decide-world.js';
import type { AttemptState } from './world.js';

t.test('a limit stop: its reason, what to raise, and the usage recorded once', async (t) => {
  const usage = {
    attempt: 1,
    finishedAt: '2026-11-22T09:59:00Z',
    stopReason: 'BudgetExceeded' as const,
    costUsd: '0.6',
    turns: 1,
  };
  const limited: AttemptState = {
    ...facts,
    state: 'finished',
    job: failedJob,
    agent: exited,
    ending: { outcome: 'limited', stopReason: 'BudgetExceeded', attemptField: 'retryAttempt' },
    usage: [usage],
  };
  const status = written(at(limited));
  t.equal(status?.conditions?.find((c) => c.type === 'Succeeded')?.reason, 'BudgetExceeded');
  t.match(
    status?.message,
    /spend limit \(spec\.limits\.maxBudgetUsd\); not retried .*raise spec\.limits and spec\.retryAttempt/,
  );
  t.same(status?.attemptUsage, [usage], "the attempt's usage");
  t.same(
    status?.usage,
    {
      costUsd: '0.6',
      inputTokens: 0,
      outputTokens: 0,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
      turns: 1,
      durationMs: 0,
    },
    'and the total',
  );
  // Read again with the usage in status: nothing to write, the total not counted twice.
  t.notOk(kinds(at(limited, run(status))).includes('writeStatus'), 'recorded once');
});
