// What the run reconcilers report to Prometheus: runs by phase, outcomes, durations, pull requests, and
// the TaskRun metrics of the system this one replaces (docs/metrics.md, docs/design.md §4.5).
// - budget-metrics.ts: each budget's spend in its current window and its limit, at scrape time.
// - run-metrics.ts: the run metrics a platform team reads, with bounded labels (never a run's name).
// - taskrun-metrics.ts: the four metrics the replaced system's dashboards query, apart so that they can
//   go with those dashboards.
// - usage-metrics.ts: what the agents spent (cost, tokens, turns, limit stops), counted once per attempt
//   as its usage is recorded, with the model label bounded by the config.

export { registerBudgetMetrics } from './budget-metrics.js';
export {
  agentLabel,
  OTHER_AGENT,
  RUNS_METRIC,
  type RunRecorder,
  registerRunMetrics,
  runRecorder,
} from './run-metrics.js';
export { countedTaskRunReconciler } from './taskrun-metrics.js';
