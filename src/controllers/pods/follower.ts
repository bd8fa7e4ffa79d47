// Following an attempt's agent through its pod, as pure reads of the Job and pod caches: what the agent
// is doing while the Job is active (and whether its pod is stuck past its grace period), and, once the
// Job has finished, what the agent reported and why it failed. The writes this calls for (the cause
// recorded on the Job, so the run's message does not change when the pod goes; a shortened
// activeDeadlineSeconds, so the Job controller fails a stuck attempt as it would at its deadline) are
// the reconciler's actions (reconcile/decide.ts).
// The design it implements: docs/design.md §4.2, §4.3.
import type { KubeObject } from '../../runtime/index.js';
import { jobFinishTime, jobState } from '../../runtime/index.js';
import { type AgentState, agentState, exitCause, isAgentPhase, writesResult } from './agent-pod.js';
import { lastLine, type ResultRead, readResult } from './agent-result.js';
import { type FailureCause, jobFailure, recordedCause } from './failure-cause.js';
import type { JobPods } from './job-pods.js';
import type { PodCreationFailures } from './pod-creation.js';

/**
 * How long after its Job finished a pod the cache still shows running is waited for: the Job and pod
 * caches are two watches, so the pod's last update (the agent's exit code and result) may come second.
 */
export const POD_SETTLE_MS = 30_000;
/** How soon to look again while waiting for the pod to settle (its update event usually comes first). */
export const SETTLE_RECHECK_MS = 2_000;

export interface ActiveAttempt {
  agent: AgentState;
  /** The pod is stuck: when its grace period ends, or that it has ended (fail the Job with `deadline`). */
  stuck?: { failsAt: Date } | { failing: FailureCause; deadline: number };
}

export type FinishedAttempt =
  /** The pod has not caught up with its finished Job yet: look again then, write nothing final. */
  | { settling: true }
  | {
      settling?: false;
      agent: AgentState;
      /** What the agent's termination message held. */
      result?: ResultRead;
      /** Why a failed Job failed. */
      cause?: FailureCause;
      /** The cause is not on the Job yet: record it while the pod is there to say it. */
      unrecorded?: boolean;
    };

const agentOf = (job: KubeObject, pods: JobPods): AgentState =>
  agentState(pods.newest(job.metadata?.uid), job.metadata?.name ?? '');

/** Refusals that waiting does not cure (someone must act); a quota may free up by itself. */
const HEALS = /exceeded quota/i;

/**
 * The agent of a Job with no pod whose pod the apiserver refuses (the Job's FailedCreate Events), with
 * what to do about a missing agent ServiceAccount (the agent sandbox not applied to the namespace).
 */
function refused(job: KubeObject, failures: PodCreationFailures | undefined): AgentState | undefined {
  const failure = failures?.of(job.metadata?.uid);
  if (!failure) return undefined;
  const namespace = job.metadata?.namespace ?? '';
  const account = /serviceaccount "([^"]+)" not found/i.exec(failure.message)?.[1];
  const fix = account
    ? `; the namespace lacks the agent sandbox: kubectl apply -k config/agents -n ${namespace} (or orchestrator install -n ${namespace})`
    : '';
  return {
    stage: 'waiting',
    reason: 'PodCreateFailed',
    message: `Job ${job.metadata?.name} cannot create its pod: ${failure.message}${fix}`,
    ...(HEALS.test(failure.message) ? {} : { stuckSince: failure.since }),
  };
}

/** The agent of an active Job; a pod stuck (or refused) for longer than `graceSeconds` is failing. */
export function followActive(
  job: KubeObject,
  pods: JobPods,
  graceSeconds: number,
  now: Date,
  failures?: PodCreationFailures,
): ActiveAttempt {
  const seen = agentOf(job, pods);
  const agent = (!pods.newest(job.metadata?.uid) && refused(job, failures)) || seen;
  if (agent.stage !== 'waiting' || !agent.stuckSince) return { agent };
  const failsAt = new Date(agent.stuckSince.getTime() + graceSeconds * 1000);
  if (failsAt.getTime() > now.getTime()) return { agent, stuck: { failsAt } };
  const failing: FailureCause = {
    reason: agent.reason,
    message: `${agent.message} (for longer than job.stuckPodGraceSeconds, ${graceSeconds} s)`,
  };
  return { agent, stuck: { failing, deadline: deadlineNow(job, now) } };
}

/** The agent of a finished Job: its result and, for a failed Job, the cause (recorded on the Job once). */
export function followFinished(job: KubeObject, pods: JobPods, now: Date): FinishedAttempt {
  const agent = agentOf(job, pods);
  const result =
    agent.stage === 'exited' && writesResult(agent.container) ? readResult(agent.message) : undefined;
  const recorded = recordedCause(job);
  if (agent.stage !== 'exited' && !recorded && pods.newest(job.metadata?.uid)) {
    const finishedAt = jobFinishTime(job);
    if (finishedAt && now.getTime() - finishedAt.getTime() < POD_SETTLE_MS) return { settling: true };
  }
  const reported = result ? { result } : {};
  if (jobState(job) !== 'Failed') return { agent, ...reported };
  if (recorded) return { agent, cause: recorded, ...reported };
  if (agent.stage !== 'exited')
    return { agent, cause: { reason: 'JobFailed', message: jobFailure(job).why } };
  const lastWords = result?.result?.summary ?? (result?.text ? lastLine(result.text) : undefined);
  const cause: FailureCause = {
    reason: isAgentPhase(agent.container) ? 'AgentFailed' : 'InitContainerFailed',
    message: exitCause(agent, lastWords),
    ...(isAgentPhase(agent.container) && agent.exitCode !== undefined ? { exitCode: agent.exitCode } : {}),
  };
  return { agent, cause, unrecorded: true, ...reported };
}

/** A deadline the Job has already passed: the seconds it has been active (at least 1). */
export function deadlineNow(job: KubeObject, now: Date): number {
  const started = (job.status as { startTime?: string } | undefined)?.startTime;
  const since = started ? new Date(started).getTime() : now.getTime();
  return Math.max(1, Math.floor((now.getTime() - since) / 1000));
}
