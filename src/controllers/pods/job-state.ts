// A Job's state as its conditions say it, and why it failed: the cause the operator recorded on the
// Job (from its pod, before the pod can go away) when there is one, else the Job's own condition.
// Recording the cause on the Job keeps a run's failure message the same at every later reconcile.
// The design it implements: docs/design.md §4.3.
import type { KubeObject } from '../../runtime/index.js';

export type JobState = 'Active' | 'Complete' | 'Failed';

/** The annotation holding a failed attempt's cause, JSON {@link FailureCause}, on its Job. */
export const FAILURE_ANNOTATION = 'orchestrator.io/failure';

export interface FailureCause {
  /** CamelCase, for the run's condition and Events: AgentFailed, InitContainerFailed, ImagePullFailed, … */
  reason: string;
  message: string;
  /** The agent container's exit code, when it ran and exited. */
  exitCode?: number;
}

interface JobCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

function jobConditions(job: KubeObject | undefined): JobCondition[] {
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

/** The cause recorded on the Job, if any (a value that does not parse is no cause). */
export function recordedCause(job: KubeObject): FailureCause | undefined {
  const raw = job.metadata?.annotations?.[FAILURE_ANNOTATION];
  if (!raw) return undefined;
  try {
    const cause = JSON.parse(raw) as Partial<FailureCause>;
    if (typeof cause.reason !== 'string' || typeof cause.message !== 'string') return undefined;
    return {
      reason: cause.reason,
      message: cause.message,
      ...(typeof cause.exitCode === 'number' ? { exitCode: cause.exitCode } : {}),
    };
  } catch {
    return undefined;
  }
}

/** When the Job failed (its Failed condition's transition), and why (the recorded cause first). */
export function jobFailure(job: KubeObject): { at: Date | undefined; why: string; cause?: FailureCause } {
  const failed = jobConditions(job).find((c) => c.type === 'Failed' && c.status === 'True');
  const at = failed?.lastTransitionTime ? new Date(failed.lastTransitionTime) : undefined;
  const cause = recordedCause(job);
  if (cause) return { at, why: cause.message, cause };
  const why = [failed?.reason, failed?.message].filter(Boolean).join(': ') || 'the Job failed';
  return { at, why };
}

/**
 * When the Job finished: its completion time (set only on success), or its Failed condition's
 * transition (a failed Job has no completion time); undefined while it is active.
 */
export function jobFinishTime(job: KubeObject): Date | undefined {
  const completion = (job.status as { completionTime?: string } | undefined)?.completionTime;
  if (completion) return new Date(completion);
  return jobFailure(job).at;
}
