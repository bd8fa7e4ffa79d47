// A run's status as a pure function of its attempt's state (verdict.ts says what each state means).
// Conditions keep their transition times when their status does not flip, so computing the same state
// twice gives an equal status (no write).
// The design it implements: docs/design.md §4 (the status/condition table).
import { type RunStatus, recordUsage } from '../../api/index.js';
import { withRefusals } from '../../egress/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { type ConditionUpdate, sameConditions, setCondition } from '../conditions.js';
import { dependencyCondition } from '../kind/dependencies.js';
import { jobFailure } from '../pods/index.js';
import { verdict } from './verdict.js';
import type { AttemptState } from './world.js';

const jobStatusField = (job: KubeObject | undefined, field: string): string | undefined =>
  (job?.status as Record<string, string | undefined> | undefined)?.[field];

/** The attempt's Job, in the states that have one. */
const jobOf = (s: AttemptState): KubeObject | undefined =>
  s.state === 'active' ||
  s.state === 'backoff' ||
  s.state === 'finished' ||
  s.state === 'cancelling' ||
  s.state === 'cancelled'
    ? s.job
    : undefined;

/** The status the run should have, given its current one (for transition times) and its attempt's state. */
export function desiredStatus(
  current: RunStatus | undefined,
  generation: number,
  s: AttemptState,
  now: () => Date = () => new Date(),
): RunStatus {
  const v = verdict(s);
  // What the egress proxy refused the run's agent is written beside this status (src/controllers/egress):
  // kept, and said in the message of a failure.
  const egressRefusals = current?.egressRefusals;
  const message = (v.phase === 'Failed' && withRefusals(v.message, egressRefusals)) || v.message;
  const updates: ConditionUpdate[] = [
    {
      type: 'ConfigMapReady',
      status: v.configMap[0],
      reason: v.configMap[1],
      message: v.configMap[0] === 'True' ? `ConfigMap ${s.configMapName}` : v.message,
    },
    {
      type: 'JobCreated',
      status: v.job[0],
      reason: v.job[1],
      message: v.job[0] === 'True' ? `Job ${s.jobName}` : v.job[0] === 'False' ? v.message : '',
    },
    { type: 'Succeeded', status: v.succeeded[0], reason: v.succeeded[1], message },
  ];
  if (s.dependencies) updates.unshift({ type: 'DependenciesReady', ...dependencyCondition(s.dependencies) });
  let conditions = current?.conditions;
  for (const update of updates) conditions = setCondition(conditions, update, generation, now);
  const job = jobOf(s);
  const startTime = jobStatusField(job, 'startTime') ?? job?.metadata?.creationTimestamp;
  const completionTime =
    v.phase === 'Succeeded'
      ? jobStatusField(job, 'completionTime')
      : v.phase === 'Failed' || v.phase === 'Cancelled'
        ? seconds(jobFailure(job ?? {}).at ?? (v.phase === 'Cancelled' ? now() : undefined))
        : undefined;
  // A run that has not started has no attempt yet (nor holds its workspace: holdsSlot): one refused
  // another submitter's workspace has not started either.
  const refused = s.state === 'conflict' && s.object === 'PersistentVolumeClaim';
  const cancelledBeforeStart = s.state === 'cancelled' && !s.job;
  const started =
    s.state !== 'blocked' &&
    s.state !== 'waiting' &&
    s.state !== 'overBudget' &&
    !refused &&
    !cancelledBeforeStart;
  return {
    phase: v.phase,
    conditions,
    observedGeneration: generation,
    ...(started ? { attempt: s.attempt, configMapName: s.configMapName, jobName: s.jobName } : {}),
    // The uids of what the operator made: only an object of that uid is the attempt's (provenance/).
    ...(started && s.configMapUid ? { configMapUid: s.configMapUid } : {}),
    ...(started && job?.metadata?.uid ? { jobUid: job.metadata.uid } : {}),
    ...(typeof startTime === 'string' ? { startTime } : {}),
    ...(completionTime ? { completionTime } : {}),
    message,
    ...agentFields(current, s, started),
    ...(egressRefusals ? { egressRefusals } : {}),
    // The kept logs are written beside this status too (src/controllers/logs).
    ...(current?.logs ? { logs: current.logs } : {}),
    // What the attempts spent stays whatever the state: a total is never lost.
    ...recordUsage(current, s.usage ?? []),
  };
}

/** A time as the apiserver writes it (RFC 3339, whole seconds). */
const seconds = (at: Date | undefined) => at?.toISOString().replace(/\.\d+Z$/, 'Z');

/** What the agent reported: kept from earlier attempts (a session, a pull request) until it reports anew. */
const RESULT_FIELDS = [
  'pullRequestUrl',
  'sessionId',
  'workCompleted',
  'summary',
  'commit',
  'outputs',
  'setup',
] as const;

/** The pod, the retries and the agent's results, for a run whose attempt has started. */
function agentFields(current: RunStatus | undefined, s: AttemptState, started: boolean): Partial<RunStatus> {
  const fields: Partial<RunStatus> = {};
  for (const field of RESULT_FIELDS)
    if (current?.[field] !== undefined) Object.assign(fields, { [field]: current[field] });
  Object.assign(fields, s.report?.result);
  if (!started) return fields;
  const agent = jobOf(s) && 'agent' in s ? s.agent : undefined;
  // The pod may be gone (a finished Job's TTL): the attempt's pod name stays.
  const podName = agent?.pod ?? (current?.attempt === s.attempt ? current?.podName : undefined);
  return { ...fields, ...(podName ? { podName } : {}), retryCount: s.retryCount };
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
