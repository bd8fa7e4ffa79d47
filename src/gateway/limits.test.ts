// The limits covering an attempt's call (limits.ts): its run's own, as its token states it, and each
// team budget covering its namespace by name or selector, summed over the budget's window from the
// ledger; and every limit the table says the gateway holds is one it returns.
import t from 'tap';
import { ATTEMPT, meteredCall } from '../../test/harness/fakes/gateway.js';
import { MemoryLedger } from '../../test/harness/fakes/memory-ledger.js';
import {
  type ControllerConfig,
  RUN_LIMIT_NAMES,
  RUN_LIMITS,
  runLimitField,
  staticConfig,
} from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import type { TokenClaims } from './attempt-token.js';
import { gatewayLimits } from './limits.js';

type Budgets = NonNullable<ControllerConfig['budgets']>;
const NOW = new Date('2026-11-24T10:00:00Z');

function limitsWith(budgets: Budgets, chosen: Record<string, string[]>) {
  const asked: string[] = [];
  const ledger = new MemoryLedger(() => NOW.getTime());
  const source = gatewayLimits({
    config: staticConfig({ ...loadDefaultConfig(), budgets }),
    ledger,
    selected: async (selector) => {
      asked.push(selector);
      return new Set(chosen[selector] ?? []);
    },
    now: () => NOW,
  });
  return { source, ledger, asked };
}

t.test("the run's own limit, named by its field and run, spent by the attempt", async (t) => {
  const { source, ledger } = limitsWith([], {});
  t.same(await source.limits(ATTEMPT), [], 'a run with no spend limit has none');
  const claims: TokenClaims = {
    ...ATTEMPT,
    jobUid: 'uid-job',
    expiresAt: NOW.getTime() + 3_600_000,
    maxBudgetMicros: 5_000_000,
  };
  await ledger.record(ATTEMPT, meteredCall(1200));
  const [own, ...rest] = await source.limits(claims);
  t.same(rest, []);
  t.equal(own?.name, 'spec.limits.maxBudgetUsd of TaskRun team-a/fix');
  t.equal(own?.limitMicros, 5_000_000);
  t.equal(await own?.spentMicros(), 1200);
});

t.test('each team budget covering the namespace, by name, selector or neither', async (t) => {
  const budgets: Budgets = [
    { name: 'named', limitUsd: '10', window: 'month', namespaces: ['team-a'] },
    { name: 'chosen', limitUsd: '20', window: 'day', namespaceSelector: 'team=a' },
    { name: 'elsewhere', limitUsd: '30', window: 'month', namespaceSelector: 'team=b' },
    { name: 'everyone', limitUsd: '40', window: 'week' },
  ];
  const { source, ledger, asked } = limitsWith(budgets, { 'team=a': ['team-a'], 'team=b': ['team-b'] });
  await ledger.record(ATTEMPT, meteredCall(700));
  await ledger.record({ ...ATTEMPT, namespace: 'team-b' }, meteredCall(50));
  const limits = await source.limits(ATTEMPT);
  t.same(
    limits.map((l) => [l.name, l.limitMicros, l.note]),
    [
      ['budget "named"', 10_000_000, 'its month resets at 2026-12-01T00:00:00.000Z'],
      ['budget "chosen"', 20_000_000, 'its day resets at 2026-11-25T00:00:00.000Z'],
      ['budget "everyone"', 40_000_000, 'its week resets at 2026-11-30T00:00:00.000Z'],
    ],
  );
  t.same(await Promise.all(limits.map((l) => l.spentMicros())), [700, 700, 750], 'each over its namespaces');
  t.same(asked, ['team=a', 'team=b'], 'only the budgets with a selector list namespaces');
});

t.test('every limit of spec.limits the table says the gateway holds, it returns', async (t) => {
  const { source } = limitsWith([], {});
  const names = (await source.limits({ ...ATTEMPT, maxBudgetMicros: 1 } as TokenClaims)).map((l) => l.name);
  for (const limit of RUN_LIMIT_NAMES.filter((l) => RUN_LIMITS[l].enforcedBy.includes('gateway')))
    t.ok(
      names.some((name) => name.startsWith(`${runLimitField(limit)} `)),
      `${limit}: ${names.join(', ')}`,
    );
});
