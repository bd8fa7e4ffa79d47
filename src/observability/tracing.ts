// The process's tracing: the OpenTelemetry SDK started from the standard OTEL_* environment when
// settings.ts says so, and nothing otherwise. The SDK is imported only then (dynamic import), so a
// process that does not trace loads none of it, and every instrumentation point checks
// `tracingEnabled()` first and calls straight through when it is false: no span object, no context
// switch. The API package itself is tiny and always loaded (its no-op tracer is the default).
// The design it implements: docs/design.md §11.
import {
  type Attributes,
  type Context,
  context,
  type Span,
  SpanKind,
  SpanStatusCode,
  trace,
} from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { setLogExport } from './log-export.js';
import { logExportSettings, type TracingSettings, tracingSettings } from './settings.js';

/**
 * Whether spans are made. Process-wide like the OpenTelemetry API's own registry (one SDK per
 * process, registered globally), set once by startTracing.
 */
let enabled = false;

export const tracingEnabled = (): boolean => enabled;

export interface Tracing extends TracingSettings {
  /** Whether log lines and Events are exported as log records, and why (log-export.ts). */
  logs: TracingSettings;
  /** Exports what is buffered and stops tracing (on shutdown, so the last spans are not lost). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The OTEL_* variables deciding whether to trace. Default: the process's (the SDK reads those). */
  env?: NodeJS.ProcessEnv;
  /** Where spans go instead of the exporters OTEL_* names; tracing is then on (tests). */
  spanProcessors?: SpanProcessor[];
}

/** The service name when neither OTEL_SERVICE_NAME nor OTEL_RESOURCE_ATTRIBUTES names one. */
export const DEFAULT_SERVICE_NAME = 'orchestrator';

/**
 * Starts the SDK when the environment asks for traces or for log records: the exporters, endpoints,
 * protocols, sampler, batching and resource all come from the OTEL_* variables, as the SDK reads them.
 * Never metrics: those are Prometheus's (`/metrics`). Log lines stay on stdout either way; exported,
 * they are also records (log-export.ts).
 */
export async function startTracing(opts: TracingOptions = {}): Promise<Tracing> {
  const env = opts.env ?? process.env;
  const settings = opts.spanProcessors
    ? { enabled: true, reason: 'span processors given' }
    : tracingSettings(env);
  const logs = logExportSettings(env);
  if (!settings.enabled && !logs.enabled) return { ...settings, logs, shutdown: async () => {} };
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const named = env.OTEL_SERVICE_NAME || /(^|,)\s*service\.name=/.test(env.OTEL_RESOURCE_ATTRIBUTES ?? '');
  const sdk = new NodeSDK({
    ...(named ? {} : { serviceName: DEFAULT_SERVICE_NAME }),
    // Absent, the SDK takes the processors of OTEL_TRACES_EXPORTER / OTEL_LOGS_EXPORTER; empty, none.
    ...(opts.spanProcessors
      ? { spanProcessors: opts.spanProcessors }
      : settings.enabled
        ? {}
        : { spanProcessors: [] }),
    ...(logs.enabled ? {} : { logRecordProcessors: [] }),
    instrumentations: [],
    metricReaders: [],
  });
  sdk.start();
  enabled = settings.enabled;
  setLogExport(logs.enabled);
  return {
    ...settings,
    logs,
    shutdown: async () => {
      enabled = false;
      setLogExport(false);
      await sdk.shutdown();
    },
  };
}

const tracer = () => trace.getTracer('orchestrator');

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent; default: the active context (the span the caller runs in, if any). */
  parent?: Context | undefined;
}

/**
 * Runs `fn` in a new span, active for everything `fn` awaits (log lines, API calls); ends it when `fn`
 * settles, recording a thrown error on it.
 */
export function inSpan<T>(name: string, opts: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const parent = opts.parent ?? context.active();
  const options = {
    kind: opts.kind ?? SpanKind.INTERNAL,
    ...(opts.attributes ? { attributes: opts.attributes } : {}),
  };
  return tracer().startActiveSpan(name, options, parent, async (span) => {
    try {
      return await fn(span);
    } catch (err) {
      failed(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks the span failed by `err`. */
export function failed(span: Span, err: unknown): void {
  const error = err instanceof Error ? err : new Error(String(err));
  span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
}

/** The span active here, if it records (API calls make child spans only inside a traced operation). */
export function activeSpan(): Span | undefined {
  const span = trace.getActiveSpan();
  return span?.isRecording() ? span : undefined;
}

export interface PastSpan {
  start: Date;
  end: Date;
  attributes: Attributes;
  /** The parent (a run's trace); default: none, a trace of its own. */
  parent?: Context | undefined;
  /** Why it failed, when it did. */
  error?: string;
}

/** Records a span of something already over (a stage seen when it ended); nothing when tracing is off. */
export function recordPastSpan(name: string, span: PastSpan): void {
  if (!enabled) return;
  const made = tracer().startSpan(
    name,
    { kind: SpanKind.INTERNAL, startTime: span.start, attributes: span.attributes },
    span.parent ?? context.active(),
  );
  if (span.error) made.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
  made.end(span.end);
}
