// The budgets' standings as the REST API serves them and the console charts them
// (src/api/budget-report.ts): each budget of the config, what its namespaces spent in its window, in
// all and by UTC day, from the spend index every replica keeps warm (its caches run on standbys too).
import {
  type Budget,
  type BudgetReport,
  type BudgetReports,
  type ControllerConfig,
  DAY_MS,
  type DaySpend,
  formatUsd,
  utcDayStart,
} from '../../api/index.js';
import { covers, standing } from './budgets.js';
import type { SpendIndex } from './spend-index.js';

/**
 * Each UTC day from `start`'s to `now`'s, or to the last that spent when a clock ahead dated spend
 * later, never past the window's last day, with what it spent. Spend dated past the window (a clock
 * further ahead) is on no day, though the total counts it as the refusals do.
 */
function daysOf(byDay: ReadonlyMap<number, number>, start: Date, resetsAt: Date, now: Date): DaySpend[] {
  let latest = now.getTime();
  for (const day of byDay.keys()) if (day > latest) latest = day;
  const last = Math.min(latest, resetsAt.getTime() - 1);
  const days: DaySpend[] = [];
  for (let day = utcDayStart(start.getTime()); day <= last; day += DAY_MS)
    days.push({ date: new Date(day).toISOString().slice(0, 10), spentUsd: formatUsd(byDay.get(day) ?? 0) });
  return days;
}

/** What a budget covers, as the config names it: neither field, every namespace. */
const coverageOf = (budget: Budget): Pick<BudgetReport, 'namespaces' | 'namespaceSelector'> => ({
  ...(budget.namespaces?.length ? { namespaces: budget.namespaces } : {}),
  ...(budget.namespaceSelector ? { namespaceSelector: budget.namespaceSelector } : {}),
});

export function budgetReport(budget: Budget, spends: SpendIndex, now: Date): BudgetReport {
  const s = standing(budget, spends, now);
  const byDay = spends.spentByDay(covers(budget, spends), s.start.getTime());
  return {
    name: budget.name,
    window: budget.window ?? 'month',
    limitUsd: budget.limitUsd,
    spentUsd: formatUsd(s.spent),
    start: s.start.toISOString(),
    resetsAt: s.resetsAt.toISOString(),
    source: spends.source,
    ...coverageOf(budget),
    days: daysOf(byDay, s.start, s.resetsAt, now),
  };
}

/** The reports of the budgets in force, summed by `spends` once `synced` says its caches are. */
export function budgetReports(
  config: () => ControllerConfig,
  spends: SpendIndex,
  synced: () => boolean,
): BudgetReports {
  return {
    synced,
    reports: (namespace, now) =>
      (config().budgets ?? [])
        .filter((budget) => namespace === undefined || covers(budget, spends)(namespace))
        .map((budget) => budgetReport(budget, spends, now)),
  };
}
