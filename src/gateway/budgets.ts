// The gateway listener's two budgets (docs/security.md "Listener budgets"): the model API's, from the
// config, with what one client address and one attempt token may hold of it; and the GitHub token
// broker's, fixed and its own, so that however the model API is flooded, every App run's prepare and
// publish phases still get their tokens.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { ControllerConfig } from '../api/index.js';
import { type ClientCap, ListenerBudget, plainAddress, TokenBuckets } from '../http/index.js';

type GatewaySettings = ControllerConfig['gateway'];

const byAddress = (maxInFlight: number): ClientCap => ({
  what: 'address',
  maxInFlight,
  keyOf: (req) => plainAddress(req.socket.remoteAddress),
});

/**
 * The credential a call carries, as any provider's API sends it (anthropic.ts, openai.ts, gemini.ts),
 * hashed: the counts are keyed by it without holding the token.
 */
function credentialKey(req: IncomingMessage): string | undefined {
  const { headers } = req;
  const header = headers['x-api-key'] ?? headers['x-goog-api-key'] ?? headers.authorization;
  if (typeof header !== 'string' || header === '') return undefined;
  const token = header.replace(/^Bearer /, '');
  return createHash('sha256').update(token).digest('base64url').slice(0, 22);
}

/** The model API's budget: the config's `gateway.limits`, `clientRateLimit` and `bodyLimitBytes`. */
export function modelBudget(settings: GatewaySettings): ListenerBudget {
  const { limits } = settings;
  return new ListenerBudget({
    name: 'gateway',
    maxConcurrent: limits.maxConcurrentRequests,
    maxBytesInFlight: limits.maxBytesInFlight,
    maxBodyBytes: settings.bodyLimitBytes,
    perAddress: new TokenBuckets({
      ratePerSecond: settings.clientRateLimit.requestsPerSecond,
      burst: settings.clientRateLimit.burst,
    }),
    perClient: [
      byAddress(limits.maxConcurrentPerAddress),
      { what: 'credential', maxInFlight: limits.maxConcurrentPerCredential, keyOf: credentialKey },
    ],
  });
}

/**
 * The broker's budget: token requests are bodiless and answered in a TokenReview and a mint, a phase
 * asks once (retrying 2 s apart), so 64 at once serve many runs starting together; one pod's phases
 * ask one at a time, so an address holds at most 4.
 */
export const brokerBudget = (): ListenerBudget =>
  new ListenerBudget({
    name: 'GitHub token broker',
    maxConcurrent: 64,
    maxBytesInFlight: 1,
    maxBodyBytes: 0,
    perAddress: new TokenBuckets({ ratePerSecond: 2, burst: 8 }),
    perClient: [byAddress(4)],
  });
