// A run's trace as OpenTelemetry context: the remote parent every admission review and reconcile of
// the run is made a child of, so one trace holds the run's whole life; and the patch operation that
// stores it on a run that has none yet (docs/design.md §11).
import { type Context, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import { isPlainObject } from '../util/index.js';
import { formatTraceParent, parseTraceParent, TRACE_ANNOTATION } from './traceparent.js';
import { activeSpan, tracingEnabled } from './tracing.js';

interface Annotated {
  metadata?: { annotations?: Record<string, string> | null } | null;
}

/** The context whose parent is the run's trace, or undefined when the run carries none (valid). */
export function runTraceContext(run: Annotated | undefined | null): Context | undefined {
  const parent = parseTraceParent(run?.metadata?.annotations?.[TRACE_ANNOTATION]);
  return parent ? trace.setSpanContext(ROOT_CONTEXT, { ...parent, isRemote: true }) : undefined;
}

/** A JSON Patch (RFC 6902) `add`, as the webhook and the finalizer send them. */
export interface AddOperation {
  op: 'add';
  path: string;
  value: unknown;
}

/**
 * The operation that makes `span` the run's trace context: none when the run has the annotation
 * already (a value someone set, even an invalid one, is never replaced) or no metadata object.
 */
export function traceAnnotationOps(metadata: unknown, span: Span): AddOperation[] {
  if (!isPlainObject(metadata)) return [];
  const { annotations } = metadata;
  if (isPlainObject(annotations) && TRACE_ANNOTATION in annotations) return [];
  const value = formatTraceParent(span.spanContext());
  // RFC 6901: the annotation's `/` is `~1` in a pointer.
  const key = TRACE_ANNOTATION.replaceAll('~', '~0').replaceAll('/', '~1');
  return [
    isPlainObject(annotations)
      ? { op: 'add', path: `/metadata/annotations/${key}`, value }
      : { op: 'add', path: '/metadata/annotations', value: { [TRACE_ANNOTATION]: value } },
  ];
}

/**
 * At a run's first reconcile (it has no finalizer yet, so it was stored without the mutating
 * webhook, or by one that did not trace): the operations that make the reconcile's span the run's
 * trace context, sent with the finalizer's patch. None when tracing is off.
 */
export function firstReconcileTraceOps(run: Annotated): AddOperation[] {
  const span = tracingEnabled() ? activeSpan() : undefined;
  return span ? traceAnnotationOps(run.metadata, span) : [];
}
