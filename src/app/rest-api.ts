// The REST API's part of `orchestrator run`: the API server on its address with the webhook's
// certificate files, serving the GitHub webhook (github-webhook.ts) and the alert receiver
// (alerts-webhook.ts) too.
import { ALERTS_WEBHOOK_PATH } from '../alerts/index.js';
import type { BudgetReports } from '../api/index.js';
import { KubeReviewer } from '../auth/index.js';
import { GITHUB_WEBHOOK_PATH } from '../github/index.js';
import type { CertificateFiles } from '../http/index.js';
import type { ApiServer } from '../rest/index.js';
import type { ListenAddress } from '../runtime/index.js';
import { alertsWebhookRoute } from './alerts-webhook.js';
import { connectionLimits } from './connections.js';
import type { GithubApps } from './github-apps.js';
import { type GithubWebhookOptions, githubWebhookRoute } from './github-webhook.js';
import type { Connected } from './run-context.js';

export interface RestApiOptions extends GithubWebhookOptions {
  /** The alert receiver's tokens (alerts.tokenFiles); none: /webhook/alerts is off. */
  alertTokens?: () => readonly string[];
  address: ListenAddress;
  /** The budgets' standings, from the run controllers' caches in this process. */
  budgets: BudgetReports;
  certificates: CertificateFiles;
  local: boolean;
}

/**
 * The REST API, with the GitHub webhook (/webhook/github) and the alert receiver (/webhook/alerts) on
 * the same port. Its server's modules load here, so a manager without the API never holds them (~2 MiB
 * of heap: docs/decisions/0088-lean-manager-start.md).
 */
export async function startRestApi(opts: RestApiOptions): Promise<ApiServer> {
  const { startApiServer } = await import('../rest/index.js');
  const { address, budgets, certificates, client, config, logger, local } = opts;
  // Read at start (a change takes a restart): the port, the audience, the limits.
  const { api } = config.current();
  const timeoutMs = api.requestTimeoutSeconds * 1000;
  const reviewer = new KubeReviewer({ client, audience: api.audience, timeoutMs });
  // The same reviews ask what an issue's run's submitter may use (src/github/issue-submitter.ts).
  const github = githubWebhookRoute({ ...opts, githubReviewer: reviewer });
  // The same reviews ask what a route's submitter may use.
  const alerts = alertsWebhookRoute({ ...opts, reviewer });
  return startApiServer({
    ...certificates,
    budgets,
    client,
    streams: client,
    reviewer,
    config: () => config.current(),
    logger: logger.child({ component: 'api' }),
    // Signed by GitHub, or bearing the senders' token, not a Kubernetes token: each router checks its own.
    routers: [github.router, alerts.router],
    pathBudgets: new Map([
      [GITHUB_WEBHOOK_PATH, github.budget],
      [ALERTS_WEBHOOK_PATH, alerts.budget],
    ]),
    connections: connectionLimits(config.current()),
    limits: api.limits,
    clientRateLimit: api.clientRateLimit,
    requestTimeoutMs: timeoutMs,
    bodyLimitBytes: api.bodyLimitBytes,
    rateLimit: api.rateLimit,
    port: address.port,
    // Local mode serves this machine only, as the webhooks do.
    host: local ? '127.0.0.1' : (address.host ?? '0.0.0.0'),
  });
}

/** The REST API of `orchestrator run`, when its options give it an address. */
export async function serveRestApi(
  proc: Connected,
  github: GithubApps,
  budgets: BudgetReports,
): Promise<ApiServer | undefined> {
  const { opts, inputs } = proc;
  if (!opts.api) return undefined;
  return startRestApi({
    address: opts.api,
    budgets,
    certificates: proc.certificates,
    client: proc.client,
    config: inputs.config,
    githubSecrets: () => inputs.githubSecrets.current(),
    alertTokens: () => inputs.alertTokens.current(),
    ...(github.permissions ? { githubPermissions: github.permissions } : {}),
    ...(github.pullRequestComments ? { githubComments: github.pullRequestComments } : {}),
    registry: proc.registry,
    logger: proc.logger,
    local: proc.local !== undefined,
  });
}
