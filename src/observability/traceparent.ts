// A run's trace context, kept on the run as a W3C `traceparent` in an annotation (as Tekton keeps a
// PipelineRun's span context on it): set when the run is created (the mutating webhook, else the first
// reconcile), read by every later admission review and reconcile of the run, and handed to the agent
// pod as TRACEPARENT. No OpenTelemetry import here: the Job builder reads it whether tracing is on or off.
// The design it implements: docs/design.md §11.

/** The annotation holding a run's trace context (a W3C traceparent). */
export const TRACE_ANNOTATION = 'orchestrator.io/traceparent';

/** The parts of a traceparent that name a span. */
export interface TraceParent {
  traceId: string;
  spanId: string;
  /** Bit 0: sampled. */
  traceFlags: number;
}

/**
 * Version 00 as W3C Trace Context writes it; a later version's first four fields have the same shape,
 * and all-zero ids are invalid (§3.2.2.3, §3.2.2.4).
 */
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;

/** The traceparent's parts, or undefined for anything that is not a valid traceparent. */
export function parseTraceParent(text: unknown): TraceParent | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TRACEPARENT.exec(text.trim());
  if (!m) return undefined;
  const [, version, traceId, spanId, flags, rest] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string?,
  ];
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, traceFlags: Number.parseInt(flags, 16) };
}

export const formatTraceParent = ({ traceId, spanId, traceFlags }: TraceParent): string =>
  `00-${traceId}-${spanId}-${(traceFlags & 0xff).toString(16).padStart(2, '0')}`;

interface Annotated {
  metadata?: { annotations?: Record<string, string> | null } | null;
}

/** The run's trace context, normalised, when its annotation holds a valid one. */
export function runTraceParent(run: Annotated | undefined): string | undefined {
  const parsed = parseTraceParent(run?.metadata?.annotations?.[TRACE_ANNOTATION]);
  return parsed ? formatTraceParent(parsed) : undefined;
}
