// The play's stages as counters (docs/metrics.md "Argo plays"): each stage's run counted once as it
// ends, by its outcome, and its retries: the operator's attempts after the first (`agent`), and a
// quality-round stage started again by a push (`push`, its run of round 2 or later, decision 0052).
// Labels are bounded: the run's namespace, the stage (an agent profile's role or name, `other`), a
// final phase and the cause.
import { Counter } from 'prom-client';
import { memo } from '../../runtime/index.js';
import type { StageRow } from './stage-report.js';

export interface StageMetrics {
  /**
   * A stage that has not ended: its series made at 0, so that its end is an increase Prometheus sees
   * (a series born at 1 has none for increase() and rate(), which the dashboard and alerts use).
   */
  seen(namespace: string, row: StageRow): void;
  ended(namespace: string, row: StageRow): void;
}

const OUTCOMES = ['Succeeded', 'Failed', 'Cancelled'] as const;
const CAUSES = ['agent', 'push'] as const;

export const stageMetrics = memo((registry): StageMetrics => {
  const registers = [registry];
  const outcomes = new Counter({
    name: 'orchestrator_play_stage_outcomes_total',
    help: "Stages of Argo Workflows (their CodeRuns) ended, by the run's namespace (run_namespace), stage (the agent profile's role) and outcome (Succeeded, Failed, Cancelled).",
    labelNames: ['run_namespace', 'stage', 'outcome'],
    registers,
  });
  const retries = new Counter({
    name: 'orchestrator_play_stage_retries_total',
    help: "Retries of Argo Workflows' stages, by the run's namespace (run_namespace), stage and cause: agent (the operator retried a failed attempt), push (a push started the quality round again).",
    labelNames: ['run_namespace', 'stage', 'cause'],
    registers,
  });
  return {
    seen: (namespace, row) => {
      const labels = { run_namespace: namespace, stage: row.stage };
      for (const outcome of OUTCOMES) outcomes.inc({ ...labels, outcome }, 0);
      for (const cause of CAUSES) retries.inc({ ...labels, cause }, 0);
    },
    ended: (namespace, row) => {
      const labels = { run_namespace: namespace, stage: row.stage };
      outcomes.inc({ ...labels, outcome: row.outcome });
      if (row.attempts > 1) retries.inc({ ...labels, cause: 'agent' }, row.attempts - 1);
      if ((row.round ?? 1) > 1) retries.inc({ ...labels, cause: 'push' });
    },
  };
});
