// Without the model gateway an attempt bills at most its spec.limits.maxBudgetUsd of what its agent
// reported (usage-cap.ts); the report is kept as `reported` when a figure was cut.
import t from 'tap';
import type { Usage } from './usage.js';
import { capUsage } from './usage-cap.js';

const forged: Usage = {
  costUsd: '999999999999',
  inputTokens: 1,
  turns: 3,
  models: [
    { model: 'claude-haiku-4-5', costUsd: '2', inputTokens: 1 },
    { model: 'claude-sonnet-4-6', costUsd: '999999999997' },
  ],
};

t.test('a forged cost bills at most maxBudgetUsd, the report kept whole', async (t) => {
  const { usage, reported } = capUsage(forged, '10');
  t.same(usage, {
    costUsd: '10',
    inputTokens: 1,
    turns: 3,
    models: [
      { model: 'claude-haiku-4-5', costUsd: '0', inputTokens: 1 },
      { model: 'claude-sonnet-4-6', costUsd: '10' },
    ],
  });
  t.same(reported, forged, 'what the agent said, untouched');
});

t.test('a report within the cap is the bill, nothing kept beside it', async (t) => {
  const honest: Usage = { costUsd: '4.5', models: [{ model: 'm', costUsd: '4.5' }] };
  t.same(capUsage(honest, '5'), { usage: honest });
  t.same(capUsage(honest, '4.5'), { usage: honest }, 'exactly the cap');
  t.same(capUsage({ turns: 2 }, '5'), { usage: { turns: 2 } }, 'no cost reported, none made up');
});

t.test('the models together bill no more than the capped total, the costliest first', async (t) => {
  // A total within the cap whose models claim far more: the metrics count the models.
  const lopsided: Usage = {
    costUsd: '1',
    models: [
      { model: 'a', costUsd: '0.4' },
      { model: 'b', costUsd: '5' },
      { model: 'c', costUsd: '0.3' },
    ],
  };
  const { usage, reported } = capUsage(lopsided, '3');
  t.same(usage.models, [
    { model: 'a', costUsd: '0' },
    { model: 'b', costUsd: '1' },
    { model: 'c', costUsd: '0' },
  ]);
  t.equal(usage.costUsd, '1');
  t.same(reported, lopsided);
});

t.test('a cost that is no dollar amount bills nothing', async (t) => {
  for (const costUsd of ['-5', 'NaN', 'lots', '1e30', '0.1234567', Number.NaN, -5, 1e30]) {
    const report = { costUsd, models: [{ model: 'm', costUsd }] } as unknown as Usage;
    const { usage, reported } = capUsage(report, '10');
    t.same(usage, { costUsd: '0', models: [{ model: 'm', costUsd: '0' }] }, String(costUsd));
    t.same(reported, report);
  }
});

t.test('a cap of 0 bills nothing; no maxBudgetUsd caps nothing', async (t) => {
  t.same(capUsage(forged, '0').usage.costUsd, '0');
  t.same(capUsage(forged, undefined), { usage: forged }, 'nothing to cap at: the report is the bill');
  t.same(capUsage(forged, 'ten'), { usage: forged }, 'a cap that is no dollar amount is none');
});
