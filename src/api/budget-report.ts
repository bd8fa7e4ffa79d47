// A team budget's standing as the REST API answers it and the console charts it (docs/economics.md,
// docs/rest-api.md): computed on every replica by src/controllers/budgets from its warm caches, served
// by src/rest, which stand side by side and meet here.
import type { BudgetPeriod } from './budget-window.js';

/**
 * Whose figures a budget sums: the model gateway's ledger, or what the agents reported of themselves
 * (capped per attempt at its spec.limits.maxBudgetUsd, src/api/usage-cap.ts).
 */
export type SpendSource = 'Gateway' | 'SelfReported';

/** What the namespaces of a budget spent on one UTC day of its window. */
export interface DaySpend {
  /** The day, YYYY-MM-DD (UTC). */
  date: string;
  spentUsd: string;
}

export interface BudgetReport {
  name: string;
  window: BudgetPeriod;
  limitUsd: string;
  /** What its namespaces spent since `start`. */
  spentUsd: string;
  /** The window's start (RFC 3339): the calendar's, or the budget's notBefore. */
  start: string;
  /** When the window ends and the spend counts from zero again (RFC 3339). */
  resetsAt: string;
  source: SpendSource;
  /** The namespaces it covers as the config names them; neither field: every namespace. */
  namespaces?: string[];
  namespaceSelector?: string;
  /**
   * Each UTC day from the window's start to now (or to a later day that spent, by a clock ahead),
   * oldest first: what was spent that day. They sum to spentUsd but for spend dated past the window.
   */
  days: DaySpend[];
}

/** The budgets' standings, from the caches of the process that serves them. */
export interface BudgetReports {
  /** False until the caches the spend is summed from have listed what the cluster holds. */
  synced(): boolean;
  /** The config's budgets that cover `namespace` (every budget when undefined), at `now`. */
  reports(namespace: string | undefined, now: Date): BudgetReport[];
}
