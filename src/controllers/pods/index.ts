// Following a run's agent through its Job and pod: the pod cache's index by Job, what a pod says of the
// agent, the result protocol's read side, a Job's state and failure cause (docs/design.md §4.2–§4.4).
export {
  type AgentState,
  agentState,
  exitCause,
  podForCache,
  type WaitingReason,
} from './agent-pod.js';
export { type AgentResult, type ResultRead, readResult } from './agent-result.js';
export { followActive, followFinished, POD_SETTLE_MS, SETTLE_RECHECK_MS } from './follower.js';
export { type JobPods, mapPodToRun, PodsByJob } from './job-pods.js';
export {
  FAILURE_ANNOTATION,
  type FailureCause,
  jobFailure,
  jobFinishTime,
  jobState,
  recordedCause,
} from './job-state.js';
export {
  FAILED_CREATE_EVENTS,
  mapPodCreationToRun,
  type PodCreationFailures,
  PodCreationIndex,
} from './pod-creation.js';
