// The admission webhooks' part of `orchestrator run` (every replica): the routes of every kind, their
// reference checks on a client of their own, and the HTTPS server.
import { REFERENCE_REVIEW_TIMEOUT_MS, referenceReviewer } from '../admission/index.js';
import { admissionRoutes, startWebhookServer, type WebhookServer } from '../webhook/index.js';
import { managerClient } from './connect.js';
import { connectionLimits } from './connections.js';
import type { Connected } from './run-context.js';
import { managerIdentity } from './service-account.js';

export async function serveWebhooks(proc: Connected): Promise<WebhookServer> {
  const { opts, logger, registry, local, client } = proc;
  const { config, templates } = proc.inputs;
  // The REST API creates runs as the manager and states the caller as their submitter: the webhooks
  // keep what this identity states, and replace what anyone else does (docs/design.md §7).
  const self = await managerIdentity(client, logger);
  // The reference checks' SubjectAccessReviews go out on a client of their own (its own connections,
  // within its own budget: referenceReviewer), so reviews posted to the webhook never queue the
  // reconciler's or leader election's calls behind them.
  const reviews = managerClient(proc, proc.kc, REFERENCE_REVIEW_TIMEOUT_MS);
  return startWebhookServer({
    ...proc.certificates,
    ...(opts.webhookClientCAFile ? { clientCAFile: opts.webhookClientCAFile } : {}),
    routes: admissionRoutes({
      config,
      reviewer: referenceReviewer(reviews),
      trustedSubmitters: () => self,
      localTools: () => Object.keys(templates.current().presets.localServers),
    }),
    registry,
    logger: logger.child({ component: 'webhook' }),
    port: opts.webhookPort,
    host: local ? '127.0.0.1' : '0.0.0.0',
    bodyLimitBytes: config.current().webhook.bodyLimitBytes,
    limits: config.current().webhook.limits,
    connections: connectionLimits(config.current()),
  });
}
