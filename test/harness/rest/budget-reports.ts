// The team budgets' standings for a REST API that runs without the run controllers (a unit test's
// server, a benchmark's): the real reports over a spend index of the runs given, as plain objects,
// whose caches count as synced.
import type { BudgetReports, ControllerConfig } from '../../../src/api/index.js';
import { budgetReports, runSpends, SpendIndex } from '../../../src/controllers/budgets/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';

export function fixedBudgets(
  config: () => ControllerConfig,
  runs: readonly KubeObject[] = [],
): BudgetReports {
  const source = { list: () => [...runs], addHandler: () => () => {} };
  return budgetReports(config, new SpendIndex([runSpends('TaskRun', source)]), () => true);
}
