// What a run's reconcile span says of the run: its kind and attempt, and its parent, the run's trace
// context (orchestrator.io/traceparent), so every reconcile of the run joins the run's one trace.
// The design it implements: docs/design.md §11.
import { type RunKindName, type RunOf, specAttempt } from '../api/index.js';
import type { ReconcileTrace } from '../observability/index.js';
import { runTraceContext } from '../observability/index.js';
import type { ReadOnlyStore, Request } from '../runtime/index.js';

/** From the cached run: the attempt when the reconcile starts (the status's, else the spec's). */
export const runReconcileTrace =
  <K extends RunKindName>(kind: K, runs: ReadOnlyStore<RunOf<K>>) =>
  ({ namespace, name }: Request): ReconcileTrace => {
    const run = runs.get(namespace, name);
    // Gone (deleted, its finalizer removed): its trace went with it, so this reconcile is a trace of its own.
    if (!run) return { attributes: { 'orchestrator.run.kind': kind, 'orchestrator.run.cached': false } };
    return {
      parent: runTraceContext(run),
      attributes: {
        'orchestrator.run.kind': kind,
        'orchestrator.run.attempt': run.status?.attempt ?? specAttempt(kind, run.spec),
      },
    };
  };
