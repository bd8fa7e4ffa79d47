// A Job's state as its conditions say it (the batch/v1 contract: a finished Job holds `Complete` or
// `Failed` with status True). The reconciler, the CLI and the tests' drivers all read Jobs this way.
import type { KubeObject } from './object.js';

export type JobState = 'Active' | 'Complete' | 'Failed';

export interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** The Job's conditions, none when it has no status yet. */
export function jobConditions(job: KubeObject | undefined): JobCondition[] {
  const status = job?.status as { conditions?: JobCondition[] } | undefined;
  return status?.conditions ?? [];
}

export function jobState(job: KubeObject): JobState {
  const conditions = jobConditions(job);
  const holds = (type: string) => conditions.some((c) => c.type === type && c.status === 'True');
  if (holds('Complete')) return 'Complete';
  if (holds('Failed')) return 'Failed';
  return 'Active';
}

/**
 * When the Job finished: its completion time (set only on success), or its Failed condition's
 * transition (a failed Job has no completion time); undefined while it is active.
 */
export function jobFinishTime(job: KubeObject): Date | undefined {
  const completion = (job.status as { completionTime?: string } | undefined)?.completionTime;
  if (completion) return new Date(completion);
  const failed = jobConditions(job).find((c) => c.type === 'Failed' && c.status === 'True');
  return failed?.lastTransitionTime ? new Date(failed.lastTransitionTime) : undefined;
}
