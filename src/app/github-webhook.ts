// The GitHub webhook's part of `orchestrator run` (docs/github-webhook.md): its router on the REST API's
// port, signed by GitHub rather than authenticated by a token, under a budget of its own.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigSource } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import type { PullRequestComments, RepositoryPermissions } from '../github/index.js';
import { githubWebhookRouter } from '../github/index.js';
import { ListenerBudget, TokenBuckets } from '../http/index.js';
import type { KubeClient } from '../runtime/index.js';

export interface GithubWebhookOptions {
  client: KubeClient;
  config: ConfigSource;
  /** The current GitHub webhook secrets (current, then previous); none: /webhook/github is off. */
  githubSecrets: () => readonly string[];
  /** What GitHub says each delivery's actor may do; none (no App keys): deliveries are refused unless githubWebhook.triggerPermission is none. */
  githubPermissions?: RepositoryPermissions;
  /** What RBAC says an issue run's submitter may use (the REST API's reviews). */
  githubReviewer?: AccessReviewer;
  /** Where runs from issues answer on the issue; none (no App keys): only logged. */
  githubComments?: PullRequestComments;
  /** Where the webhook's counters are registered. */
  registry?: Registry;
  logger: Logger;
}

/** Read at start (a change takes a restart): the body's bound and the budget. */
export function githubWebhookRoute(opts: GithubWebhookOptions) {
  const { githubWebhook: github } = opts.config.current();
  // GitHub's deliveries are larger and unauthenticated until their signature is checked: their own budget.
  const budget = new ListenerBudget({
    name: 'github',
    maxConcurrent: github.limits.maxConcurrentRequests,
    maxBytesInFlight: github.limits.maxBytesInFlight,
    maxBodyBytes: github.bodyLimitBytes,
    perAddress: new TokenBuckets({
      ratePerSecond: github.clientRateLimit.requestsPerSecond,
      burst: github.clientRateLimit.burst,
    }),
  });
  const router = githubWebhookRouter({
    api: opts.client,
    config: () => opts.config.current(),
    secrets: opts.githubSecrets,
    logger: opts.logger.child({ component: 'github' }),
    bodyLimitBytes: github.bodyLimitBytes,
    ...(opts.githubPermissions ? { permissions: opts.githubPermissions } : {}),
    ...(opts.githubComments ? { comments: opts.githubComments } : {}),
    ...(opts.githubReviewer ? { reviewer: opts.githubReviewer } : {}),
    ...(opts.registry ? { registry: opts.registry } : {}),
  });
  return { router, budget };
}
