// The phases' GitHub token broker wired onto the gateway's listener (docs/security.md "Phases and their
// credentials"): its route, the issuer's TokenReviews within a budget of their own (so requests cannot
// decide how many reviews the process asks at once), and the sweep that revokes each token handed out
// once its phase is over.
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { ConfigSource } from '../api/index.js';
import { KubeReviewer, ReviewLimit } from '../auth/index.js';
import { githubTokenRoute, tokenPhase } from '../gateway/index.js';
import type { GithubTokens } from '../github/index.js';
import { PHASE_TOKEN_AUDIENCE, PhaseTokenIssuer } from '../github/index.js';
import type { KubeClient } from '../runtime/index.js';

/** How often the tokens handed out are looked at, to revoke those whose phase is over. */
const SWEEP_MS = 15_000;

export function phaseTokenBroker(
  client: KubeClient,
  config: ConfigSource,
  tokens: GithubTokens,
  logger: Logger,
): { routes: (req: IncomingMessage) => RequestListener | undefined; stop(): void } {
  const log = logger.child({ component: 'github-token-broker' });
  const reviewer = new KubeReviewer({
    client,
    audience: PHASE_TOKEN_AUDIENCE,
    // A pod's phase asks once or a few times; a minute is enough to spare its retries a review.
    allowTtlMs: 60_000,
    limit: new ReviewLimit({
      what: 'TokenReviews of phase tokens',
      maxInFlight: 8,
      maxQueued: 32,
      maxWaitMs: 5_000,
    }),
  });
  const issuer = new PhaseTokenIssuer({
    client,
    reviewer,
    tokens,
    config: () => config.current(),
    logger: log,
  });
  const route = githubTokenRoute(issuer, log);
  const timer = setInterval(() => {
    issuer.held
      .sweep(client, new Date())
      .catch((err: Error) => log.warn({ err: err.message }, 'the sweep of phase tokens failed'));
  }, SWEEP_MS);
  timer.unref();
  return { routes: (req) => (tokenPhase(req) ? route : undefined), stop: () => clearInterval(timer) };
}
