// What differs between the run kinds in reconciling: a strategy per kind that the generic reconciler
// (src/controllers/reconcile) asks, so it never reads a kind's spec itself; the rest of a kind's facts
// come from the kind table (src/api/kinds.ts). Adding a kind: docs/adding-a-run-kind.md.
// - dependencies.ts: a TaskRun's dependsOn: pure functions of the cached TaskRuns, and the mapper that
//   wakes the dependents when a task finishes.
// - strategy.ts: each kind's strategy (attempt names, labels, dependencies), typed by its kind.
export {
  type DependencyVerdict,
  DependentRuns,
  dependencyCondition,
  mapToDependents,
  phaseChanged,
} from './dependencies.js';
export { objectLabels, RUN_STRATEGIES, type RunStrategy } from './strategy.js';
