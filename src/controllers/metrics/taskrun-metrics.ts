// The four metrics the TaskRun design of the system this one replaces names (its dashboards query them):
// TaskRun reconciles, their duration, and the Jobs and ConfigMaps created for TaskRuns. No labels, as
// there. controller_runtime_reconcile_total{controller="taskrun"} and its siblings say the same and more;
// these keep the old dashboards working.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Reconciler } from '../../runtime/index.js';
import { memo, RECONCILE_BUCKETS } from '../../runtime/index.js';

export interface TaskRunMetrics {
  reconciliations: Counter;
  duration: Histogram;
  jobsCreated: Counter;
  configMapsCreated: Counter;
}

export const taskRunMetrics = memo((registry: Registry): TaskRunMetrics => {
  const registers = [registry];
  const metrics: TaskRunMetrics = {
    reconciliations: new Counter({
      name: 'taskrun_reconciliations_total',
      help: 'Total TaskRun reconciliation attempts (whatever their result).',
      registers,
    }),
    duration: new Histogram({
      name: 'taskrun_reconciliation_duration_seconds',
      help: 'Time spent reconciling a TaskRun.',
      buckets: RECONCILE_BUCKETS,
      registers,
    }),
    jobsCreated: new Counter({
      name: 'taskrun_jobs_created_total',
      help: 'Jobs created for TaskRun attempts (an existing Job adopted after a restart is not counted).',
      registers,
    }),
    configMapsCreated: new Counter({
      name: 'taskrun_configmaps_created_total',
      help: "ConfigMaps created for TaskRun attempts and their namespace's agent shell (an existing one adopted after a restart is not counted).",
      registers,
    }),
  };
  for (const counter of [metrics.reconciliations, metrics.jobsCreated, metrics.configMapsCreated])
    counter.inc(0);
  return metrics;
});

/** `reconciler`, each reconcile counted and timed in the TaskRun metrics of `registry`. */
export function countedTaskRunReconciler(reconciler: Reconciler, registry: Registry): Reconciler {
  const { reconciliations, duration } = taskRunMetrics(registry);
  return {
    async reconcile(request, context) {
      const end = duration.startTimer();
      try {
        return await reconciler.reconcile(request, context);
      } finally {
        end();
        reconciliations.inc();
      }
    },
  };
}
