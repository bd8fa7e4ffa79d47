// Team budgets (docs/economics.md): whether a namespace may start another attempt, given what the
// budgets that cover it have spent in their window. A budget that is spent refuses new attempts until
// its window resets (or the config raises it, or moves its notBefore): the refusal names the budget,
// the spend, the limit and the reset. Pure over the spend index and the clock given.
import {
  type Budget,
  budgetCovers,
  budgetWindow,
  type ControllerConfig,
  formatUsd,
  parseUsd,
  type SpendSource,
  type Window,
} from '../../api/index.js';
import { labelSelectorMatches } from '../../naming/index.js';
import type { SpendIndex } from './spend-index.js';

/** Why a run may not start an attempt now: a budget covering its namespace is spent. */
export interface BudgetRefusal {
  budget: string;
  spentUsd: string;
  limitUsd: string;
  window: NonNullable<Budget['window']>;
  resetsAt: Date;
  /** Whose figures the spend sums. */
  source: SpendSource;
}

/** A budget's standing: what its namespaces spent in its current window, against its limit. */
export interface BudgetStanding extends Window {
  budget: Budget;
  spent: number;
  limit: number;
}

/** The namespaces a budget covers, its selector matched against their labels as the index has them. */
export const covers = (budget: Budget, spends: SpendIndex) =>
  budgetCovers(budget, (selector, namespace) => labelSelectorMatches(selector, spends.labelsOf(namespace)));

export function standing(budget: Budget, spends: SpendIndex, now: Date): BudgetStanding {
  const window = budgetWindow(budget, now);
  return {
    ...window,
    budget,
    spent: spends.spent(covers(budget, spends), window.start.getTime()),
    limit: parseUsd(budget.limitUsd) ?? 0,
  };
}

/** The first budget covering `namespace` that is spent, as a refusal; undefined when none is. */
export function budgetRefusal(
  budgets: ControllerConfig['budgets'],
  spends: SpendIndex,
  namespace: string,
  now: Date,
): BudgetRefusal | undefined {
  for (const budget of budgets ?? []) {
    if (!covers(budget, spends)(namespace)) continue;
    const s = standing(budget, spends, now);
    if (s.spent < s.limit) continue;
    return {
      budget: budget.name,
      spentUsd: formatUsd(s.spent),
      limitUsd: budget.limitUsd,
      window: budget.window ?? 'month',
      resetsAt: s.resetsAt,
      source: spends.source,
    };
  }
  return undefined;
}

/** How a message says whose figures a spend sums: the gateway's go without saying. */
const SOURCE_NOTE: Record<SpendSource, string> = {
  Gateway: '',
  SelfReported:
    " (self-reported: the sum of what its runs' agents reported, each attempt at most its spec.limits.maxBudgetUsd, as the model gateway is off)",
};

/** The message of a run waiting for a budget. */
export function budgetMessage(attempt: number, r: BudgetRefusal): string {
  const when = { day: 'today', week: 'this week', month: 'this month' }[r.window];
  return `attempt ${attempt} waits: budget ${r.budget} has spent $${r.spentUsd} of $${r.limitUsd} ${when}${SOURCE_NOTE[r.source]}; it resets at ${r.resetsAt.toISOString()} (budgets in the controller config: raise limitUsd, or set notBefore to start the window afresh)`;
}
