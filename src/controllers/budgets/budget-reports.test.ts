// The budgets' reports (budget-reports.ts): which budgets a namespace's report holds, what each spent
// in its window, and its spend by UTC day from the window's start to now (or a later day that spent),
// summing to the whole.
import t from 'tap';
import type { ControllerConfig, DaySpend } from '../../api/index.js';
import type { EventSource, KubeObject } from '../../runtime/index.js';
import { budgetReports } from './budget-reports.js';
import { runSpends, SpendIndex } from './spend-index.js';

type Budgets = NonNullable<ControllerConfig['budgets']>;

const source = (objects: KubeObject[]): EventSource => ({ list: () => objects, addHandler: () => () => {} });
const run = (namespace: string, spends: Array<[string, string]>): KubeObject => ({
  metadata: { namespace, name: `r${Math.random()}` },
  status: {
    attemptUsage: spends.map(([finishedAt, costUsd], i) => ({ attempt: i + 1, finishedAt, costUsd })),
  },
});

const index = new SpendIndex([
  runSpends(
    'TaskRun',
    source([
      run('team-a', [
        ['2026-11-30T23:59:59Z', '100'],
        ['2026-12-01T08:00:00Z', '1.25'],
        ['2026-12-01T20:00:00Z', '0.75'],
      ]),
      run('team-b', [['2026-12-03T12:00:00Z', '4']]),
      run('other', [['2026-12-02T12:00:00Z', '50']]),
    ]),
  ),
]);
const budgets: Budgets = [
  { name: 'teams', namespaces: ['team-a', 'team-b'], limitUsd: '10', window: 'month' },
  { name: 'everyone', limitUsd: '1000', window: 'week' },
  { name: 'late', namespaces: ['team-a'], limitUsd: '5', window: 'month', notBefore: '2026-12-03T00:00:00Z' },
];
const config = { budgets } as ControllerConfig;
const now = new Date('2026-12-04T10:00:00Z'); // a Friday

t.test("a namespace's report holds the budgets covering it; all of them without one", async (t) => {
  const reports = budgetReports(
    () => config,
    index,
    () => true,
  );
  t.same(
    reports.reports('team-b', now).map((r) => r.name),
    ['teams', 'everyone'],
  );
  t.same(
    reports.reports('other', now).map((r) => r.name),
    ['everyone'],
  );
  t.same(
    reports.reports(undefined, now).map((r) => r.name),
    ['teams', 'everyone', 'late'],
  );
  t.same(
    budgetReports(
      () => ({}) as ControllerConfig,
      index,
      () => true,
    ).reports(undefined, now),
    [],
  );
});

t.test('a report: the window, the spend in all and by UTC day, what it covers', async (t) => {
  const [teams, everyone, late] = budgetReports(
    () => config,
    index,
    () => true,
  ).reports(undefined, now);
  t.same(teams, {
    name: 'teams',
    window: 'month',
    limitUsd: '10',
    spentUsd: '6',
    start: '2026-12-01T00:00:00.000Z',
    resetsAt: '2027-01-01T00:00:00.000Z',
    source: 'SelfReported',
    namespaces: ['team-a', 'team-b'],
    days: [
      { date: '2026-12-01', spentUsd: '2' },
      { date: '2026-12-02', spentUsd: '0' },
      { date: '2026-12-03', spentUsd: '4' },
      { date: '2026-12-04', spentUsd: '0' },
    ],
  });
  t.equal(everyone?.start, '2026-11-30T00:00:00.000Z', 'a week starts on Monday');
  t.same(
    everyone?.days.map((d) => d.spentUsd),
    ['100', '2', '50', '4', '0'],
    'every namespace, Monday to today',
  );
  t.equal(everyone?.namespaces, undefined, 'a budget of every namespace names none');
  t.same(
    late?.days,
    [
      { date: '2026-12-03', spentUsd: '0' },
      { date: '2026-12-04', spentUsd: '0' },
    ],
    'a window started at notBefore begins on its day; spend before it does not count',
  );
  t.equal(late?.spentUsd, '0');
});

t.test('a clock ahead: the days reach the last that spent, never past the window', async (t) => {
  const sum = (days: DaySpend[] = []) => days.reduce((total, d) => total + Number(d.spentUsd), 0);
  const early = new Date('2026-12-02T10:00:00Z');
  const [teams] = budgetReports(
    () => config,
    index,
    () => true,
  ).reports('team-b', early);
  t.same(
    teams?.days.map((d) => d.date),
    ['2026-12-01', '2026-12-02', '2026-12-03'],
    "to the day team-b's spend is dated, after now",
  );
  t.equal(sum(teams?.days), Number(teams?.spentUsd), 'the days sum to the total');
  const [today] = budgetReports(
    () => ({ budgets: [{ name: 'today', limitUsd: '1', window: 'day' }] }) as ControllerConfig,
    index,
    () => true,
  ).reports(undefined, new Date('2026-12-01T23:00:00Z'));
  t.same(today?.days, [{ date: '2026-12-01', spentUsd: '2' }], "a day budget's one day");
  t.equal(today?.spentUsd, '56', 'the total counts spend dated past the window, as the refusal does');
});

t.test('synced is the caches’ word', async (t) => {
  let synced = false;
  const reports = budgetReports(
    () => config,
    index,
    () => synced,
  );
  t.equal(reports.synced(), false);
  synced = true;
  t.equal(reports.synced(), true);
});
