// Starting and restarting a run from outside the reconciler, shared by the CLI and the REST API so that
// both do it the same way.
// - cancel.ts: a run cancelled by setting spec.cancelled; a finished one refused, naming its phase.
// - generate-name.ts: the generateName of a run created without a name, short enough for derived names.
// - kept-log.ts: a log the operator kept after its pod (status.logs): read, and a window cut out of it.
// - log-target.ts: where an attempt's log is: its Job, the Job's pod, the agent or prepare container.
// - log-farewell.ts: the line the REST API ends a broken log stream with, which the CLI recognises.
// - retry.ts: a run run again by raising its attempt field, with optimistic concurrency.
export { type Cancelled, cancelRun, notCancellable } from './cancel.js';
export { defaultGenerateName, namePrefix } from './generate-name.js';
export {
  KEPT_LOG_KEY,
  type KeptLogEntry,
  type KeptWindow,
  keptEntry,
  keptInstead,
  keptWindow,
  readKeptLog,
} from './kept-log.js';
export { LOG_FAREWELL, logFarewell } from './log-farewell.js';
export { type Located, type LogSource, locate, type NoLogs, statusSays } from './log-target.js';
export { NOT_RETRYABLE, type Retried, retryRun } from './retry.js';
