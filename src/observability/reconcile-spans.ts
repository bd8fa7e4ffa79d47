// One span per reconcile: the controller, the object, what the reconcile decided (the `result` label
// of controller_runtime_reconcile_total), and whatever the caller says of the object (a run's attempt).
// The caller also names the parent: a run's reconciles are children of the run's trace context, so
// one trace holds them all. Used only when tracing is on (controllers/run-controllers.ts).
// The design it implements: docs/design.md §11.
import { type Attributes, type Context, ROOT_CONTEXT } from '@opentelemetry/api';
import type { Reconciler, Request } from '../runtime/index.js';
import { inSpan } from './tracing.js';

/** Where a reconcile's span goes, and what it says of the object. */
export interface ReconcileTrace {
  /** Default: a new trace. */
  parent?: Context | undefined;
  attributes?: Attributes;
}

/** The controller's result label for an outcome (controller.ts acts on the same distinctions). */
export function reconcileResult(outcome: Awaited<ReturnType<Reconciler['reconcile']>>): string {
  if (outcome?.requeueAfter !== undefined && outcome.requeueAfter > 0) return 'requeue_after';
  return outcome?.requeue ? 'requeue' : 'success';
}

export function tracedReconciler(
  controller: string,
  reconciler: Reconciler,
  traceOf: (request: Request) => ReconcileTrace,
): Reconciler {
  return {
    reconcile: (request, ctx) => {
      const { parent, attributes } = traceOf(request);
      const all: Attributes = {
        'orchestrator.controller': controller,
        'k8s.namespace.name': request.namespace,
        'orchestrator.run.name': request.name,
        ...attributes,
      };
      return inSpan(
        `reconcile ${controller}`,
        { attributes: all, parent: parent ?? ROOT_CONTEXT },
        async (span) => {
          try {
            const outcome = await reconciler.reconcile(request, ctx);
            span.setAttribute('orchestrator.reconcile.result', reconcileResult(outcome));
            return outcome;
          } catch (err) {
            span.setAttribute('orchestrator.reconcile.result', 'error');
            throw err;
          }
        },
      );
    },
  };
}
