// Following an attempt's agent through its pod: what the agent is doing while the Job is active (and
// failing the attempt when its pod is stuck on an error that will not heal), and, once the Job has
// finished, what the agent reported and why it failed. The two writes it makes go to our own Job:
// the failure cause as an annotation (so the run's message does not change when the pod goes), and a
// shortened activeDeadlineSeconds that makes the Job controller fail a stuck attempt (deleting its
// pod) as it would at the deadline — so a stuck attempt fails like any other and follows the retry policy.
// The design it implements: docs/design.md §4.2, §4.3.
import { type ApiRequester, isApiStatus, type KubeObject, resourcePath } from '../../runtime/index.js';
import { JOBS } from '../reconcile/owned-objects.js';
import { type AgentState, agentState, exitCause } from './agent-pod.js';
import { lastLine, type ResultRead, readResult } from './agent-result.js';
import type { JobPods } from './job-pods.js';
import { FAILURE_ANNOTATION, type FailureCause, jobFailure, jobState, recordedCause } from './job-state.js';

/**
 * How long after its Job finished a pod the cache still shows running is waited for: the Job and pod
 * caches are two watches, so the pod's last update (the agent's exit code and result) may come second.
 */
export const POD_SETTLE_MS = 30_000;
/** How soon to look again while waiting for the pod to settle (its update event usually comes first). */
const SETTLE_RECHECK_MS = 2_000;

export interface ActiveAttempt {
  agent: AgentState;
  /** The pod is stuck: when its attempt fails, or that it is being failed (its Job's deadline shortened). */
  stuck?: { failsAt: Date } | { failing: FailureCause };
  /** When to look again: the end of a stuck pod's grace period. */
  requeueAfter?: number;
}

export interface FinishedAttempt {
  agent: AgentState;
  /** What the agent's termination message held. */
  result?: ResultRead;
  /** Why a failed Job failed. */
  cause?: FailureCause;
  /** The pod has not caught up with its finished Job yet: look again then, write nothing final. */
  settleAfter?: number;
}

export class AttemptFollower {
  constructor(
    private readonly client: ApiRequester,
    private readonly pods: JobPods,
    private readonly now: () => Date,
  ) {}

  /** The agent of an active Job; a pod stuck for longer than `graceSeconds` gets its attempt failed. */
  async active(job: KubeObject, graceSeconds: number, signal: AbortSignal): Promise<ActiveAttempt> {
    const agent = this.agent(job);
    if (agent.stage !== 'waiting' || !agent.stuckSince) return { agent };
    const failsAt = new Date(agent.stuckSince.getTime() + graceSeconds * 1000);
    const left = failsAt.getTime() - this.now().getTime();
    if (left > 0) return { agent, stuck: { failsAt }, requeueAfter: left };
    const failing: FailureCause = {
      reason: agent.reason,
      message: `${agent.message} (for longer than job.stuckPodGraceSeconds, ${graceSeconds} s)`,
    };
    await this.patchJob(job, failing, this.deadlineNow(job), signal);
    return { agent, stuck: { failing } };
  }

  /** The agent of a finished Job: its result and, for a failed Job, the cause (recorded on the Job once). */
  async finished(job: KubeObject, signal: AbortSignal): Promise<FinishedAttempt> {
    const agent = this.agent(job);
    const result =
      agent.stage === 'exited' && agent.container === 'agent' ? readResult(agent.message) : undefined;
    const recorded = recordedCause(job);
    if (agent.stage !== 'exited' && !recorded && this.pods.newest(job.metadata?.uid)) {
      const finishedAt = finishTime(job);
      if (finishedAt && this.now().getTime() - finishedAt.getTime() < POD_SETTLE_MS)
        return { agent, settleAfter: SETTLE_RECHECK_MS };
    }
    if (jobState(job) !== 'Failed') return { agent, ...(result ? { result } : {}) };
    if (recorded) return { agent, cause: recorded, ...(result ? { result } : {}) };
    if (agent.stage !== 'exited')
      return { agent, cause: { reason: 'JobFailed', message: jobFailure(job).why } };
    const lastWords = result?.result?.summary ?? (result?.text ? lastLine(result.text) : undefined);
    const cause: FailureCause = {
      reason: agent.container === 'agent' ? 'AgentFailed' : 'InitContainerFailed',
      message: exitCause(agent, lastWords),
      ...(agent.container === 'agent' && agent.exitCode !== undefined ? { exitCode: agent.exitCode } : {}),
    };
    await this.patchJob(job, cause, undefined, signal);
    return { agent, cause, ...(result ? { result } : {}) };
  }

  private agent(job: KubeObject): AgentState {
    return agentState(this.pods.newest(job.metadata?.uid), job.metadata?.name ?? '');
  }

  /** A deadline the Job has already passed: the seconds it has been active (at least 1). */
  private deadlineNow(job: KubeObject): number {
    const started = (job.status as { startTime?: string } | undefined)?.startTime;
    const since = started ? new Date(started).getTime() : this.now().getTime();
    return Math.max(1, Math.floor((this.now().getTime() - since) / 1000));
  }

  /**
   * Records the cause on our Job (and shortens its deadline): a merge patch guarded by the Job's
   * resourceVersion, so a Job that changed meanwhile is looked at again instead of overwritten.
   */
  private async patchJob(
    job: KubeObject,
    cause: FailureCause,
    deadline: number | undefined,
    signal: AbortSignal,
  ): Promise<void> {
    const { namespace, name, resourceVersion } = job.metadata ?? {};
    const body = {
      metadata: { resourceVersion, annotations: { [FAILURE_ANNOTATION]: JSON.stringify(cause) } },
      ...(deadline === undefined ? {} : { spec: { activeDeadlineSeconds: deadline } }),
    };
    try {
      await this.client.request('PATCH', resourcePath(JOBS, namespace, name), {
        body,
        contentType: 'application/merge-patch+json',
        signal,
        discardAnswer: true,
      });
    } catch (err) {
      // Changed (409) or gone (404): its next event brings another reconcile.
      if (!isApiStatus(err, 409) && !isApiStatus(err, 404)) throw err;
    }
  }
}

/** When the Job finished: its completion time, or its Failed condition's transition. */
function finishTime(job: KubeObject): Date | undefined {
  const completion = (job.status as { completionTime?: string } | undefined)?.completionTime;
  if (completion) return new Date(completion);
  return jobFailure(job).at;
}
