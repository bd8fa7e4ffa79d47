// One span per admission review, in the run's trace: a review of a run that carries a trace context
// (orchestrator.io/traceparent) is a child of it, and the mutating review of a CREATE that carries
// none starts the run's trace and stores it on the run through its patch, so the validating review
// that follows, every later review and every reconcile join that trace. Used only when tracing is on
// (handlers.ts), so with tracing off the routes are the plain ones.
// The design it implements: docs/design.md §11.
import { type Attributes, ROOT_CONTEXT, type Span, SpanKind } from '@opentelemetry/api';
import type { AdmissionRequest, AdmissionResult, ReviewCaller } from '../admission/index.js';
import { failed, inSpan, runTraceContext, traceAnnotationOps } from '../observability/index.js';
import { isPlainObject } from '../util/index.js';
import { truncate } from '../validation/index.js';
import type { WebhookRoute } from './endpoint.js';

export type WebhookVerb = 'mutate' | 'validate';

/** The route, its decisions each made in a span (and, when mutating, starting the run's trace). */
export function tracedReview(route: WebhookRoute, verb: WebhookVerb): WebhookRoute {
  return { ...route, handle: (request, caller) => review(route, verb, request, caller) };
}

function review(
  route: WebhookRoute,
  verb: WebhookVerb,
  request: AdmissionRequest,
  caller?: ReviewCaller,
): Promise<AdmissionResult> {
  const parent = runTraceContext(request.object) ?? runTraceContext(request.oldObject);
  const name = `${verb} ${truncate(request.kind.kind, 63)}`;
  const attributes = requestAttributes(route, request);
  return inSpan(name, { kind: SpanKind.SERVER, attributes, parent: parent ?? ROOT_CONTEXT }, async (span) => {
    let result = await route.handle(request, caller);
    if (verb === 'mutate' && !parent && result.allowed && request.operation === 'CREATE')
      result = startingTrace(result, request.object, span);
    span.setAttributes(resultAttributes(result));
    if (!result.allowed && result.code === 500) failed(span, new Error(result.message));
    return result;
  });
}

function requestAttributes(route: WebhookRoute, request: AdmissionRequest): Attributes {
  const metadata = isPlainObject(request.object?.metadata) ? request.object.metadata : {};
  const name = request.name ?? (typeof metadata.generateName === 'string' ? metadata.generateName : '');
  return {
    'orchestrator.admission.webhook': route.path,
    'orchestrator.admission.operation': request.operation,
    'orchestrator.admission.dry_run': request.dryRun === true,
    'orchestrator.run.kind': truncate(request.kind.kind, 253),
    'orchestrator.run.name': truncate(name, 253),
    'k8s.namespace.name': truncate(request.namespace ?? '', 253),
  };
}

function resultAttributes(result: AdmissionResult): Attributes {
  if (!result.allowed)
    return { 'orchestrator.admission.allowed': false, 'orchestrator.admission.rule': result.rule };
  return {
    'orchestrator.admission.allowed': true,
    'orchestrator.admission.patch_operations': result.patch?.length ?? 0,
  };
}

/** The result with the patch operation that makes this review's span the run's trace context. */
function startingTrace(
  result: AdmissionResult & { allowed: true },
  object: Record<string, unknown> | undefined,
  span: Span,
): AdmissionResult {
  const ops = traceAnnotationOps(object?.metadata, span);
  return ops.length ? { ...result, patch: [...(result.patch ?? []), ...ops] } : result;
}
