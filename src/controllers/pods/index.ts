// Following a run's agent through its Job and pod: the pod cache's index by Job, what a pod says of the
// agent, the result protocol's read side, why a Job failed (docs/design.md §4.2–§4.4). Nothing here
// writes to the cluster: the writes these call for are the reconciler's (src/controllers/reconcile).
// - agent-pod.ts: what a pod says of its agent (waiting and why, running, exited); pods cached stripped.
// - agent-result.ts: the result protocol's read side (docs/result-protocol.md): a result, or a problem
//   naming the field.
// - failure-cause.ts: why a Job failed, recorded on the Job so the message outlives its pod.
// - follower.ts: an attempt followed through its Job and pod, as pure reads of the caches.
// - job-pods.ts: the pods of each Job by its uid, and a pod's change mapped to its run.
// - pod-creation.ts: why a Job has no pod: its FailedCreate Events, indexed by Job.
export {
  type AgentState,
  agentState,
  exitCause,
  type PodStatus,
  podForCache,
  type WaitingReason,
} from './agent-pod.js';
export { type AgentResult, type ResultRead, readResult } from './agent-result.js';
export {
  CANCELLED,
  cancelCause,
  FAILURE_ANNOTATION,
  type FailureCause,
  jobFailure,
  recordedCause,
} from './failure-cause.js';
export { deadlineNow, followActive, followFinished, POD_SETTLE_MS, SETTLE_RECHECK_MS } from './follower.js';
export { type JobPods, mapPodToRun, PodsByJob } from './job-pods.js';
export {
  FAILED_CREATE_EVENTS,
  mapPodCreationToRun,
  type PodCreationFailures,
  PodCreationIndex,
} from './pod-creation.js';
