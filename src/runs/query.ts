// What a reader of runs (the CLI's `logs` and `describe`) needs to know of the objects the reconciler
// makes for them: the name of an attempt's Job, the containers of its pod, whose an object is, and a
// Job's state. Each comes from its owner; readers import this module, not the controllers, so the
// reconciler's inside can be rearranged without them (docs/design.md §2).
import type { RunKindName, RunOf } from '../api/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER } from '../controllers/agent/containers.js';
import { RUN_STRATEGIES, type RunStrategy } from '../controllers/kind/strategy.js';
import { jobFinishTime, jobState } from '../controllers/pods/index.js';
import { ownedBy } from '../controllers/reconcile/owned-objects.js';

export { AGENT_CONTAINER, jobFinishTime, jobState, ownedBy, PREPARE_CONTAINER };

/** The name the reconciler gives the Job of `run`'s attempt `attempt`. */
export function runJobName(kind: RunKindName, run: RunOf<RunKindName>, attempt: number): string {
  return (RUN_STRATEGIES[kind] as RunStrategy).jobName(run, attempt);
}
