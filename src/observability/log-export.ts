// The process's log lines and the Events it records, exported as OpenTelemetry log records when
// settings.ts logExportSettings says so (the seeds' "operator logs and Kubernetes Events over OTLP"):
// the SDK tracing.ts starts holds the exporter; here each pino line and each Event becomes a record.
// Off, nothing is parsed or emitted: the logger writes to its destination alone.
import { type Attributes, logs, SeverityNumber } from '@opentelemetry/api';
import pino from 'pino';

/** Whether Events become records; set once by startTracing, like tracing's own flag. */
let enabled = false;

/** Set by tracing.ts when the SDK it started exports logs. */
export function setLogExport(on: boolean): void {
  enabled = on;
}

const logger = () => logs.getLogger('orchestrator');

/** pino's levels as OpenTelemetry's severities. */
const SEVERITY: Record<number, [SeverityNumber, string]> = {
  10: [SeverityNumber.TRACE, 'TRACE'],
  20: [SeverityNumber.DEBUG, 'DEBUG'],
  30: [SeverityNumber.INFO, 'INFO'],
  40: [SeverityNumber.WARN, 'WARN'],
  50: [SeverityNumber.ERROR, 'ERROR'],
  60: [SeverityNumber.FATAL, 'FATAL'],
};

/** What a line says about itself rather than about its subject; the span's ids are the record's context. */
const OWN_FIELDS = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'trace_id', 'span_id', 'trace_flags']);

const attributeValue = (value: unknown) =>
  value === null || typeof value === 'object' ? JSON.stringify(value) : (value as string | number | boolean);

/** One pino JSON line as a log record (written in the caller's context: its span is the record's). */
export function emitLogLine(line: string): void {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  const [severityNumber, severityText] = SEVERITY[Number(doc.level)] ?? [SeverityNumber.UNSPECIFIED, ''];
  const attributes: Attributes = {};
  for (const [key, value] of Object.entries(doc))
    if (!OWN_FIELDS.has(key) && value !== undefined) attributes[key] = attributeValue(value);
  logger().emit({
    severityNumber,
    severityText,
    body: typeof doc.msg === 'string' ? doc.msg : '',
    attributes,
    ...(typeof doc.time === 'number' ? { timestamp: doc.time } : {}),
  });
}

/**
 * The logger's destination, and the log records beside it when `exporting`: both get every line the
 * logger writes (its level decides which).
 */
export function withLogExport(
  destination: pino.DestinationStream,
  exporting: boolean,
): pino.DestinationStream {
  if (!exporting) return destination;
  return pino.multistream([
    { stream: destination, level: 'trace' },
    { stream: { write: emitLogLine }, level: 'trace' },
  ]);
}

/** What an Event says, for its record. */
export interface EventRecord {
  type: string;
  reason: string;
  message: string;
  object: { kind?: string; name?: string; namespace?: string; uid?: string };
}

/** An Event the operator recorded, as a log record named `k8s.event` (when exporting). */
export function emitEvent(event: EventRecord): void {
  if (!enabled) return;
  const { kind, name, namespace, uid } = event.object;
  logger().emit({
    eventName: 'k8s.event',
    severityNumber: event.type === 'Warning' ? SeverityNumber.WARN : SeverityNumber.INFO,
    severityText: event.type === 'Warning' ? 'WARN' : 'INFO',
    body: event.message,
    attributes: {
      'k8s.event.reason': event.reason,
      'k8s.event.type': event.type,
      ...(kind ? { 'k8s.object.kind': kind } : {}),
      ...(name ? { 'k8s.object.name': name } : {}),
      ...(namespace ? { 'k8s.namespace.name': namespace } : {}),
      ...(uid ? { 'k8s.object.uid': uid } : {}),
    },
  });
}
