// A run's status as a pure function of what the reconcile observed: the attempt, its ConfigMap and Job
// (or why they could not be made), and the retry plan. Conditions keep their transition times when
// their status does not flip, so computing the same state twice gives an equal status (no write).
// The design it implements: docs/design.md §4 (the status/condition table).
import type { Condition, TaskRunStatus } from '../../api/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { WAITING_FOR_CAPACITY } from '../capacity/capacity.js';
import { type ConditionUpdate, sameConditions, setCondition } from '../conditions.js';
import type { AgentState } from '../pods/agent-pod.js';
import type { ResultRead } from '../pods/agent-result.js';
import { type FailureCause, jobFailure } from '../pods/job-state.js';
import { type DependencyVerdict, dependencyCondition } from './dependencies.js';
import type { NextAttempt } from './retry.js';
import { attemptVerdict, type Verdict } from './verdict.js';

export type RunStatus = TaskRunStatus;

export { jobFailure, jobState } from '../pods/job-state.js';

const jobStatusField = (job: KubeObject | undefined, field: string): string | undefined =>
  (job?.status as Record<string, string | undefined> | undefined)?.[field];

/** What the reconcile saw and did for the current attempt. */
export interface Observation {
  attempt: number;
  configMapName: string;
  jobName: string;
  /** The run cannot be rendered (terminal). */
  renderError?: string;
  /** An object of our name exists and is not ours. */
  conflict?: { object: 'ConfigMap' | 'Job'; message: string };
  job?: KubeObject;
  /** What the attempt's agent is doing, from its pod (absent: no pod seen yet). */
  agent?: AgentState;
  /** The pod is stuck on an error that will not heal: when the attempt fails, or that it is failing now. */
  stuck?: { failsAt: Date } | { failing: FailureCause };
  /** What the agent's termination message held (a finished attempt). */
  result?: ResultRead;
  /** Why the attempt's Job failed. */
  cause?: FailureCause;
  /** The failure's exit code is in retries.nonRetryableExitCodes. */
  notRetryable?: boolean;
  /** The current attempt failed and another one will be made then. */
  retry?: NextAttempt;
  /** Where the run's dependencies stand (kinds with dependencies only). */
  dependencies?: DependencyVerdict;
  /** No slot is free for the run's first Job (concurrency limits): why, for the message. */
  waitingForCapacity?: string;
  /** How many attempts are allowed per spec attempt (for the final message). */
  maxRetries: number;
  /** The spec field whose raise runs the run again (the kind's attemptField); none: the kind has none. */
  attemptField?: string;
  /** Attempts of the current spec attempt that were retries. */
  retryCount: number;
}

function verdict(obs: Observation): Verdict {
  const pending = (reason: string): [Condition['status'], string] => ['Unknown', reason];
  const deps =
    obs.dependencies && obs.dependencies.state !== 'Ready'
      ? dependencyCondition(obs.dependencies)
      : undefined;
  if (deps) {
    const failed = obs.dependencies?.state === 'Failed';
    return {
      phase: failed ? 'Failed' : 'Pending',
      configMap: pending('NotCreated'),
      job: pending('NotCreated'),
      succeeded: failed ? ['False', deps.reason] : pending(deps.reason),
      message: deps.message,
    };
  }
  if (obs.waitingForCapacity)
    return {
      phase: 'Pending',
      configMap: pending('NotCreated'),
      job: ['False', WAITING_FOR_CAPACITY],
      succeeded: pending(WAITING_FOR_CAPACITY),
      message: obs.waitingForCapacity,
    };
  if (obs.renderError) {
    const failed: [Condition['status'], string] = ['False', 'RenderFailed'];
    return {
      phase: 'Failed',
      configMap: failed,
      job: pending('NotCreated'),
      succeeded: failed,
      message: obs.renderError,
    };
  }
  if (obs.conflict) {
    const conflict: [Condition['status'], string] = ['False', 'NameConflict'];
    const onConfigMap = obs.conflict.object === 'ConfigMap';
    return {
      phase: 'Pending',
      configMap: onConfigMap ? conflict : ['True', 'Created'],
      job: onConfigMap ? pending('NotCreated') : conflict,
      succeeded: pending('NameConflict'),
      message: obs.conflict.message,
    };
  }
  return attemptVerdict(obs);
}

/** The status the run should have, given its current one (for transition times) and the observation. */
export function desiredStatus(
  current: RunStatus | undefined,
  generation: number,
  obs: Observation,
  now: () => Date = () => new Date(),
): RunStatus {
  const v = verdict(obs);
  const updates: ConditionUpdate[] = [
    {
      type: 'ConfigMapReady',
      status: v.configMap[0],
      reason: v.configMap[1],
      message: v.configMap[0] === 'True' ? `ConfigMap ${obs.configMapName}` : v.message,
    },
    {
      type: 'JobCreated',
      status: v.job[0],
      reason: v.job[1],
      message: v.job[0] === 'True' ? `Job ${obs.jobName}` : v.job[0] === 'False' ? v.message : '',
    },
    { type: 'Succeeded', status: v.succeeded[0], reason: v.succeeded[1], message: v.message },
  ];
  if (obs.dependencies)
    updates.unshift({ type: 'DependenciesReady', ...dependencyCondition(obs.dependencies) });
  let conditions = current?.conditions;
  for (const update of updates) conditions = setCondition(conditions, update, generation, now);
  const startTime = jobStatusField(obs.job, 'startTime') ?? obs.job?.metadata?.creationTimestamp;
  const completionTime =
    v.phase === 'Succeeded'
      ? jobStatusField(obs.job, 'completionTime')
      : v.phase === 'Failed'
        ? jobFailure(obs.job ?? {})
            .at?.toISOString()
            .replace(/\.\d+Z$/, 'Z')
        : undefined;
  // A run that has not started has no attempt yet.
  const started = !((obs.dependencies && obs.dependencies.state !== 'Ready') || obs.waitingForCapacity);
  return {
    phase: v.phase,
    conditions,
    observedGeneration: generation,
    ...(started ? { attempt: obs.attempt, configMapName: obs.configMapName, jobName: obs.jobName } : {}),
    ...(typeof startTime === 'string' ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
    message: v.message,
    ...agentFields(current, obs, started),
  };
}

/** What the agent reported: kept from earlier attempts (a session, a pull request) until it reports anew. */
const RESULT_FIELDS = ['pullRequestUrl', 'sessionId', 'workCompleted', 'summary', 'commit'] as const;

/** The pod, the retries and the agent's results, for a run whose attempt has started. */
function agentFields(current: RunStatus | undefined, obs: Observation, started: boolean): Partial<RunStatus> {
  const fields: Partial<RunStatus> = {};
  for (const field of RESULT_FIELDS)
    if (current?.[field] !== undefined) Object.assign(fields, { [field]: current[field] });
  Object.assign(fields, obs.result?.result);
  if (!started) return fields;
  // The pod may be gone (a finished Job's TTL): the attempt's pod name stays.
  const podName = obs.agent?.pod ?? (current?.attempt === obs.attempt ? current?.podName : undefined);
  return { ...fields, ...(podName ? { podName } : {}), retryCount: obs.retryCount };
}

/** `status` as seen at `generation`: the status and its conditions say they are about that spec. */
export function observedAt(status: RunStatus, generation: number): RunStatus {
  const conditions = status.conditions?.map((c) => ({ ...c, observedGeneration: generation }));
  return { ...status, observedGeneration: generation, ...(conditions ? { conditions } : {}) };
}

/** Whether writing `next` would change anything. */
export function sameStatus(a: RunStatus | undefined, b: RunStatus): boolean {
  const { conditions: ca, ...ra } = a ?? {};
  const { conditions: cb, ...rb } = b;
  const key = (r: object) =>
    JSON.stringify(
      Object.entries(r)
        .filter(([, v]) => v !== undefined)
        .sort(),
    );
  return sameConditions(ca, cb) && key(ra) === key(rb);
}
