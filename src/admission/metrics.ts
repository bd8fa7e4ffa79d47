import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The webhook server's metrics, under controller-runtime's names and labels so existing dashboards read
 * them: `webhook` is the path served (`/validate-orchestrator-io-v1-taskrun`), as controller-runtime's.
 */
export interface WebhookMetrics {
  requests: Counter<'webhook' | 'code'>;
  latency: Histogram<'webhook'>;
  inFlight: Gauge<'webhook'>;
  denials: Counter<'webhook' | 'rule'>;
  internalErrors: Counter<'webhook'>;
  /** controller-runtime's count of handler panics (no labels): here, a handler that threw. */
  panics: Counter;
}

/** The metrics of the webhooks served at `paths`. */
export function webhookMetrics(registry: Registry, paths: string[]): WebhookMetrics {
  const registers = [registry];
  const metrics: WebhookMetrics = {
    requests: new Counter({
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'],
      registers,
    }),
    latency: new Histogram({
      name: 'controller_runtime_webhook_latency_seconds',
      help: 'Histogram of the latency of processing admission requests',
      labelNames: ['webhook'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    inFlight: new Gauge({
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'],
      registers,
    }),
    denials: new Counter({
      name: 'orchestrator_webhook_denials_total',
      help: 'Admission requests denied, by the rule that denied them.',
      labelNames: ['webhook', 'rule'],
      registers,
    }),
    internalErrors: new Counter({
      name: 'orchestrator_webhook_internal_errors_total',
      help: 'Admission requests that failed inside the webhook (answered with a denial that says so).',
      labelNames: ['webhook'],
      registers,
    }),
    panics: new Counter({
      name: 'controller_runtime_webhook_panics_total',
      help: 'Total number of webhook panics',
      registers,
    }),
  };
  // Series exist from the start at 0, so rate() and absent() alerts work before the first request;
  // the two codes controller-runtime initialises.
  metrics.panics.inc(0);
  for (const webhook of paths) {
    metrics.requests.inc({ webhook, code: '200' }, 0);
    metrics.requests.inc({ webhook, code: '500' }, 0);
    metrics.inFlight.set({ webhook }, 0);
    metrics.internalErrors.inc({ webhook }, 0);
  }
  return metrics;
}
