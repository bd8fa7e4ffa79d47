// Whether this process traces, decided from the standard OpenTelemetry environment variables alone, so
// that a Deployment configures it like any other OpenTelemetry service. Off unless asked for: a process
// that does not trace loads no SDK and makes no span (docs/observability.md).

export interface TracingSettings {
  enabled: boolean;
  /** Why, for the start-up log line. */
  reason: string;
}

const isTrue = (value: string | undefined) => value?.trim().toLowerCase() === 'true';
const list = (value: string | undefined) =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s !== '');

/**
 * On when an exporter is named (`OTEL_TRACES_EXPORTER`, other than `none`) or an OTLP endpoint is set
 * (`OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`); `OTEL_SDK_DISABLED=true`
 * wins over both, as the specification says.
 */
export function tracingSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  if (isTrue(env.OTEL_SDK_DISABLED)) return { enabled: false, reason: 'OTEL_SDK_DISABLED is true' };
  const exporters = list(env.OTEL_TRACES_EXPORTER);
  if (exporters.length > 0) {
    // As the SDK reads it: `none` first turns the SDK off, `none` among others is ignored.
    return exporters[0] === 'none'
      ? { enabled: false, reason: 'OTEL_TRACES_EXPORTER is none' }
      : { enabled: true, reason: `OTEL_TRACES_EXPORTER is ${exporters.join(',')}` };
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'])
    if (env[name]?.trim()) return { enabled: true, reason: `${name} is set` };
  return {
    enabled: false,
    reason: 'neither OTEL_TRACES_EXPORTER nor OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT is set',
  };
}

/**
 * Whether this process exports its log lines and Events over OTLP: on when `OTEL_LOGS_EXPORTER` names
 * an exporter (other than `none`) or `OTEL_EXPORTER_OTLP_LOGS_ENDPOINT` is set. The shared
 * `OTEL_EXPORTER_OTLP_ENDPOINT` alone does not turn it on: a Deployment that traces keeps its logs on
 * stdout unless it asks (docs/observability.md). `OTEL_SDK_DISABLED=true` wins.
 */
export function logExportSettings(env: NodeJS.ProcessEnv = process.env): TracingSettings {
  if (isTrue(env.OTEL_SDK_DISABLED)) return { enabled: false, reason: 'OTEL_SDK_DISABLED is true' };
  const exporters = list(env.OTEL_LOGS_EXPORTER);
  if (exporters.length > 0)
    return exporters[0] === 'none'
      ? { enabled: false, reason: 'OTEL_LOGS_EXPORTER is none' }
      : { enabled: true, reason: `OTEL_LOGS_EXPORTER is ${exporters.join(',')}` };
  if (env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT?.trim())
    return { enabled: true, reason: 'OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is set' };
  return { enabled: false, reason: 'neither OTEL_LOGS_EXPORTER nor OTEL_EXPORTER_OTLP_LOGS_ENDPOINT is set' };
}
