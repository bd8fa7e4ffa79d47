// The trace of a log line: pino calls the mixin for every line, and a line written inside a span
// (a reconcile, an admission review, an API call) carries that span's ids, under the field names
// OpenTelemetry's own pino instrumentation uses, so a log backend links the line to its trace.
import { trace } from '@opentelemetry/api';
import type { LoggerOptions } from 'pino';

export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}`.slice(-2) };
}

/** The pino options that add the fields: none when the process does not trace (no call per line). */
export const traceLogOptions = (tracing: boolean): Pick<LoggerOptions, 'mixin'> =>
  tracing ? { mixin: traceLogFields } : {};
