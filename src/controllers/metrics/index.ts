// What the run reconcilers report to Prometheus: runs by phase, outcomes, durations, pull requests, and
// the TaskRun metrics of the system this one replaces (docs/metrics.md).
export {
  agentLabel,
  OTHER_AGENT,
  RUNS_METRIC,
  type RunRecorder,
  registerRunMetrics,
  runRecorder,
} from './run-metrics.js';
export { countedTaskRunReconciler } from './taskrun-metrics.js';
