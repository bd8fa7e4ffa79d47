// The alert receiver's part of `orchestrator run` (docs/alerts.md): its router on the REST API's port,
// authenticated by the senders' bearer token rather than a Kubernetes token, under a budget of its own.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { alertsWebhookRouter } from '../alerts/index.js';
import type { ConfigSource } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import { ListenerBudget, TokenBuckets } from '../http/index.js';
import type { KubeClient } from '../runtime/index.js';

export interface AlertsWebhookOptions {
  client: KubeClient;
  config: ConfigSource;
  /** The current alert tokens (current, then previous); none: /webhook/alerts is off. */
  alertTokens?: () => readonly string[];
  /** What RBAC says a route's submitter may use (the REST API's reviews). */
  reviewer: AccessReviewer;
  registry?: Registry;
  logger: Logger;
}

/** Read at start (a change takes a restart): the body's bound and the budget. */
export function alertsWebhookRoute(opts: AlertsWebhookOptions) {
  const { alerts } = opts.config.current();
  const budget = new ListenerBudget({
    name: 'alerts',
    maxConcurrent: alerts.limits.maxConcurrentRequests,
    maxBytesInFlight: alerts.limits.maxBytesInFlight,
    maxBodyBytes: alerts.bodyLimitBytes,
    perAddress: new TokenBuckets({
      ratePerSecond: alerts.clientRateLimit.requestsPerSecond,
      burst: alerts.clientRateLimit.burst,
    }),
  });
  const router = alertsWebhookRouter({
    api: opts.client,
    config: () => opts.config.current(),
    tokens: opts.alertTokens ?? (() => []),
    reviewer: opts.reviewer,
    logger: opts.logger.child({ component: 'alerts' }),
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  return { router, budget };
}
