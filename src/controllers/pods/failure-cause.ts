// Why a Job failed: the cause the operator recorded on the
// Job (from its pod, before the pod can go away) when there is one, else the Job's own condition.
// Recording the cause on the Job keeps a run's failure message the same at every later reconcile.
// The design it implements: docs/design.md §4.3.
import { jobConditions, type KubeObject } from '../../runtime/index.js';

/** The annotation holding a failed attempt's cause, JSON {@link FailureCause}, on its Job. */
export const FAILURE_ANNOTATION = 'orchestrator.io/failure';

export interface FailureCause {
  /** CamelCase, for the run's condition and Events: AgentFailed, InitContainerFailed, ImagePullFailed, … */
  reason: string;
  message: string;
  /** The agent container's exit code, when it ran and exited. */
  exitCode?: number;
}

/** The reason of an attempt stopped because its run was cancelled (spec.cancelled). */
export const CANCELLED = 'Cancelled';

/** The cause recorded on the Job of an attempt stopped by spec.cancelled. */
export const cancelCause = (): FailureCause => ({
  reason: CANCELLED,
  message: 'the run was cancelled (spec.cancelled): the attempt was stopped',
});

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
