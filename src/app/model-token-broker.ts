// The agent container's model gateway token broker wired onto the gateway's listener (docs/security.md
// "The model gateway"): its route, its TokenReviews (audience MODEL_TOKEN_AUDIENCE) within a budget of
// their own, and which attempt a pod's token speaks for decided where the phases' GitHub tokens' is
// (src/github/phase-tokens/pod-attempt.ts), so one check covers both.
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { KubeReviewer, ReviewLimit, ReviewLimitExceeded } from '../auth/index.js';
import {
  credentialRoute,
  MODEL_TOKEN_AUDIENCE,
  MODEL_TOKEN_PATH,
  ModelTokenIssuer,
} from '../gateway/index.js';
import { boundPod, podAttempt, Refusal } from '../github/index.js';
import { originFormPath } from '../http/index.js';
import type { KubeClient } from '../runtime/index.js';

export function modelTokenBroker(
  client: KubeClient,
  key: () => Buffer | undefined,
  logger: Logger,
): (req: IncomingMessage) => RequestListener | undefined {
  const log = logger.child({ component: 'model-token-broker' });
  const reviewer = new KubeReviewer({
    client,
    audience: MODEL_TOKEN_AUDIENCE,
    allowTtlMs: 60_000,
    limit: new ReviewLimit({
      what: 'TokenReviews of model tokens',
      maxInFlight: 8,
      maxQueued: 32,
      maxWaitMs: 5_000,
    }),
  });
  const issuer = new ModelTokenIssuer({
    key,
    attemptOf: async (credential, signal) => {
      try {
        return await podAttempt(client, await boundPod(reviewer, credential), signal);
      } catch (err) {
        if (err instanceof Refusal) return { status: err.status, message: err.message };
        if (err instanceof ReviewLimitExceeded) return { status: 503, message: err.message };
        throw err;
      }
    },
  });
  const route = credentialRoute(
    (req) => (originFormPath(req.url) === MODEL_TOKEN_PATH ? (c, s) => issuer.issue(c, s) : undefined),
    log,
  );
  return (req) => (originFormPath(req.url) === MODEL_TOKEN_PATH ? route : undefined);
}
