// Each budget's standing at scrape time (docs/economics.md): what its namespaces spent in its current
// window and its limit (US dollars), and when the window resets, so a dashboard shows spend against
// budget and an alert fires when a team is on pace to run out before the reset; and whose figures the
// spend sums (the gateway's ledger, or what the agents self-reported). Computed from the spend index
// (the ledger, or the runs' status), never kept.
import { Gauge, type Registry } from 'prom-client';
import { budgetWindow, type ControllerConfig, parseUsd } from '../../api/index.js';
import { type SpendIndex, standing } from '../budgets/index.js';

type Budget = NonNullable<ControllerConfig['budgets']>[number];

export const BUDGET_SPENT_METRIC = 'orchestrator_budget_spent_usd';
export const BUDGET_LIMIT_METRIC = 'orchestrator_budget_limit_usd';
export const BUDGET_RESET_METRIC = 'orchestrator_budget_reset_timestamp_seconds';
export const BUDGET_INFO_METRIC = 'orchestrator_budget_info';

export function registerBudgetMetrics(
  registry: Registry,
  spends: SpendIndex,
  config: () => ControllerConfig,
  now: () => Date = () => new Date(),
): void {
  // A manager restarted in the same process (tests) registers its own index in place of the old one.
  registry.removeSingleMetric(BUDGET_SPENT_METRIC);
  registry.removeSingleMetric(BUDGET_LIMIT_METRIC);
  registry.removeSingleMetric(BUDGET_RESET_METRIC);
  registry.removeSingleMetric(BUDGET_INFO_METRIC);
  /** A gauge of one figure per budget of the config, computed at each scrape. */
  const gauge = (
    name: string,
    help: string,
    value: (budget: Budget, at: Date) => number,
    more: { source?: true } = {},
  ) =>
    new Gauge({
      name,
      help,
      labelNames: ['budget', 'window', ...(more.source ? ['source'] : [])],
      registers: [registry],
      collect() {
        // A budget removed from the config leaves no stale series.
        this.reset();
        const at = now();
        for (const budget of config().budgets ?? []) {
          const labels = { budget: budget.name, window: budget.window ?? 'month' };
          this.set(more.source ? { ...labels, source: spends.source } : labels, value(budget, at));
        }
      },
    });
  gauge(
    BUDGET_LIMIT_METRIC,
    'What the namespaces of each budget of the controller config may spend in one window, in US dollars.',
    (budget) => (parseUsd(budget.limitUsd) ?? 0) / 1_000_000,
  );
  gauge(
    BUDGET_RESET_METRIC,
    "When each budget's current window ends and its spend counts from zero again (Unix seconds).",
    (budget, at) => budgetWindow(budget, at).resetsAt.getTime() / 1000,
  );
  gauge(
    BUDGET_SPENT_METRIC,
    "What the runs of each budget's namespaces spent in its current window, in US dollars (the model gateway's ledger, else status.attemptUsage).",
    (budget, at) => standing(budget, spends, at).spent / 1_000_000,
  );
  gauge(
    BUDGET_INFO_METRIC,
    "Always 1: each budget of the controller config, and whose figures its spend sums (source: Gateway, the model gateway's ledger; SelfReported, what the agents reported of themselves, the gateway being off).",
    () => 1,
    { source: true },
  );
}
