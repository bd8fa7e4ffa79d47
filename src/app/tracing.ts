// OpenTelemetry for `orchestrator run` (docs/observability.md): started first, since the webhook routes
// and the controllers are built traced or not; whether traces and log records are exported, and why,
// logged once.
import type { Logger } from 'pino';
import { startTracing, type Tracing } from '../observability/index.js';

export async function startProcessTracing(logger: Logger): Promise<Tracing> {
  const tracing = await startTracing();
  logger.info({ enabled: tracing.enabled, reason: tracing.reason }, 'OpenTelemetry tracing');
  logger.info({ enabled: tracing.logs.enabled, reason: tracing.logs.reason }, 'OpenTelemetry log export');
  return tracing;
}
