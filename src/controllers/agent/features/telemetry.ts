// The agent's own signals tied to the run: the run's trace context (W3C's TRACEPARENT, which
// OpenTelemetry SDKs and CLIs take as their parent) and the CLI's telemetry export (../telemetry-env.ts).
import { AGENT_ENV } from '../../../api/index.js';
import { runTraceParent } from '../../../observability/index.js';
import { telemetryEnv } from '../telemetry-env.js';
import type { JobFeature } from './feature.js';

export const telemetry: JobFeature = (base, { kind, run, agent }, { config, attempt }) => {
  const traceParent = runTraceParent(run);
  const env = [
    ...(traceParent ? [{ name: AGENT_ENV.traceParent, value: traceParent }] : []),
    ...telemetryEnv(config, {
      namespace: run.metadata?.namespace ?? '',
      kind,
      name: run.metadata?.name ?? '',
      attempt,
      agent: agent ?? '',
      job: base.metadata.name,
    }),
  ];
  return env.length > 0 ? { env: { agent: env } } : {};
};
