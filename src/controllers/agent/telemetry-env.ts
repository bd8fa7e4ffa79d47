// The agent CLI's own OpenTelemetry export (config agentTelemetry, docs/economics.md): Claude Code
// exports metrics (cost, tokens, sessions, lines of code) and events (each model call and tool decision)
// over OTLP when CLAUDE_CODE_ENABLE_TELEMETRY is 1, configured by the standard OTEL_* variables. The
// resource attributes tie every signal to its run: namespace, kind, name, attempt, agent and Job, the
// labels a platform's collector and dashboards join on; the run's trace context travels as TRACEPARENT.
import { type ControllerConfig, TELEMETRY_ENV } from '../../api/index.js';
import type { EnvVar } from './env-var.js';

/** Which run an attempt's signals belong to. */
export interface TelemetryRun {
  namespace: string;
  kind: string;
  name: string;
  attempt: number;
  agent: string;
  job: string;
}

/**
 * OTEL_RESOURCE_ATTRIBUTES: `key=value` pairs, values percent-encoded as the specification asks
 * (names are DNS labels and need none, but a value never breaks the list).
 */
export function resourceAttributes(run: TelemetryRun): string {
  const pairs: Array<[string, string]> = [
    ['k8s.namespace.name', run.namespace],
    ['k8s.job.name', run.job],
    ['orchestrator.run.kind', run.kind],
    ['orchestrator.run.name', run.name],
    ['orchestrator.run.attempt', String(run.attempt)],
    ['orchestrator.agent', run.agent],
  ];
  return pairs.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join(',');
}

/** The telemetry variables of an attempt's agent container; none unless agentTelemetry.enabled. */
export function telemetryEnv(config: ControllerConfig, run: TelemetryRun): EnvVar[] {
  const t = config.agentTelemetry;
  if (!t.enabled || !t.endpoint) return [];
  const set = (name: string, value: string): EnvVar => ({ name, value });
  return [
    set(TELEMETRY_ENV.enable, '1'),
    set(TELEMETRY_ENV.metricsExporter, t.metrics ? 'otlp' : 'none'),
    set(TELEMETRY_ENV.logsExporter, t.logs ? 'otlp' : 'none'),
    set(TELEMETRY_ENV.endpoint, t.endpoint),
    set(TELEMETRY_ENV.protocol, t.protocol),
    set(TELEMETRY_ENV.metricInterval, String(t.exportIntervalSeconds * 1000)),
    set(TELEMETRY_ENV.resourceAttributes, resourceAttributes(run)),
  ];
}
