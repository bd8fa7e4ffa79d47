// Traces and their log lines (docs/observability.md, docs/design.md §11): one trace per run, holding its
// admission reviews and reconciles. Off unless the standard OTEL_* environment asks for it; the SDK is
// then loaded on demand, so a process that does not trace pays nothing.
// - api-spans.ts: a client span per Kubernetes API call made inside a traced operation.
// - koa.ts: a server span per request of the koa servers, continuing the caller's trace.
// - log-destination.ts: where JSON log lines are written (synchronously, in writes of 4 KiB).
// - log-export.ts: the log lines and the recorded Events as OpenTelemetry log records, when asked.
// - log-fields.ts: the span's ids on every log line, under OpenTelemetry's field names.
// - reconcile-spans.ts: a span per reconcile, a child of the run's trace.
// - run-trace.ts: a run's trace as OpenTelemetry context, and the patch that stores it on the run.
// - settings.ts: whether this process traces, from the OTEL_* variables alone.
// - traceparent.ts: the run's traceparent annotation, free of OpenTelemetry so the Job builder reads it
//   whether tracing is on or off.
// - tracing.ts: the SDK started on demand, the check each instrumentation point makes first, and spans
//   of what is already over (a play's stage).
export { apiCall } from './api-spans.js';
export { tracingMiddleware } from './koa.js';
export { logDestination } from './log-destination.js';
export { emitEvent, withLogExport } from './log-export.js';
export { traceLogOptions } from './log-fields.js';
export { type ReconcileTrace, tracedReconciler } from './reconcile-spans.js';
export { firstReconcileTraceOps, runTraceContext, traceAnnotationOps } from './run-trace.js';
export { logExportSettings, tracingSettings } from './settings.js';
export { runTraceParent } from './traceparent.js';
export type { Tracing } from './tracing.js';
export { failed, inSpan, type PastSpan, recordPastSpan, startTracing, tracingEnabled } from './tracing.js';
