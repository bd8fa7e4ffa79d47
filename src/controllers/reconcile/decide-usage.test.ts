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
import { transition } from './events.js';
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

t.test("a limit the gateway enforced: the run's message and Event name it", async (t) => {
  const limit = 'budget "team-a" is spent: $1 of $1 (its month resets at 2026-12-01T00:00:00.000Z)';
  const usage = {
    attempt: 1,
    finishedAt: '2026-11-22T09:59:00Z',
    stopReason: 'BudgetExceeded' as const,
    costUsd: '1',
  };
  const refused: AttemptState = {
    ...facts,
    state: 'finished',
    job: failedJob,
    agent: exited,
    ending: { outcome: 'limited', stopReason: 'BudgetExceeded', attemptField: 'retryAttempt', limit },
    usage: [usage],
  };
  const status = written(at(refused));
  t.equal(status?.phase, 'Failed');
  t.equal(status?.conditions?.find((c) => c.type === 'Succeeded')?.reason, 'BudgetExceeded');
  t.equal(
    status?.message,
    `attempt 1 stopped: the model gateway refused its calls: ${limit}; not retried (another attempt would spend again): raise spec.limits and spec.retryAttempt to run it further`,
  );
  t.same(
    status && transition(run().status, status),
    { type: 'Warning', reason: 'BudgetExceeded', message: status?.message },
    'the Event says the same, as a warning',
  );
});
