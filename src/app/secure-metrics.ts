// The metrics endpoint of `orchestrator run`, as kubebuilder scaffolds it: HTTPS with the webhook's
// serving certificate (reloaded in place, src/http/https-server.ts), each scrape authenticated with a
// TokenReview and authorised with a SubjectAccessReview (`get /metrics`) through the REST API's cached
// checks (src/auth). Tokens of the apiserver's own audience are accepted, since that is what a
// Prometheus ServiceAccount token carries. Plain HTTP only when `metrics.secure` is false. Either way
// behind a budget (src/http/listener-budget.ts): a few scrapes at once, and no request body at all; and
// either way its connections bounded per address (src/http/connection-limits.ts).
import type { Logger } from 'pino';
import { KubeReviewer, withAccessCheck } from '../auth/index.js';
import type { CertificateFiles } from '../http/index.js';
import {
  applyRequestTimeouts,
  type ConnectionLimits,
  connectionsCheckingInterval,
  DEFAULT_CONNECTION_LIMITS,
  ListenerBudget,
  limitConnections,
  startHttpsServer,
} from '../http/index.js';
import type { ApiRequester, ListenAddress, MetricsServing } from '../runtime/index.js';
import { boundPort, closeServer, listen } from '../runtime/index.js';

/** The limit on a scrape's handshake, headers and request (Prometheus' default scrape timeout). */
const SCRAPE_TIMEOUT_MS = 10_000;

export interface MetricsServingOptions {
  address: ListenAddress;
  secure: boolean;
  certificates: CertificateFiles;
  /** Asks the reviews; its identity needs `create` on tokenreviews and subjectaccessreviews. */
  client: ApiRequester;
  logger: Logger;
  /** Scrapes served at once (metrics.maxConcurrentRequests). Default 16. */
  maxConcurrentRequests?: number;
  /** Per listener and per client address, and the header timeout (`connections`). Default the config's. */
  connections?: ConnectionLimits;
}

export function metricsServing(opts: MetricsServingOptions): MetricsServing {
  const { address, certificates, client } = opts;
  const connections = opts.connections ?? DEFAULT_CONNECTION_LIMITS;
  const budget = new ListenerBudget({
    name: 'metrics',
    maxConcurrent: opts.maxConcurrentRequests ?? 16,
    maxBytesInFlight: 0,
    maxBodyBytes: 0,
  });
  if (!opts.secure)
    return async (handler) => {
      const server = await listen(budget.guard(handler), address, {
        server: { connectionsCheckingInterval: connectionsCheckingInterval(connections.headerTimeoutMs) },
        prepare: (s) => {
          limitConnections(s, connections);
          applyRequestTimeouts(s, connections.headerTimeoutMs, SCRAPE_TIMEOUT_MS);
        },
      });
      return { port: boundPort(server), close: () => closeServer(server) };
    };
  const logger = opts.logger.child({ component: 'metrics' });
  const reviewer = new KubeReviewer({ client });
  return (handler) =>
    startHttpsServer({
      ...certificates,
      name: 'metrics',
      handler: withAccessCheck(reviewer, handler, logger),
      budget,
      connections,
      port: address.port,
      host: address.host ?? '0.0.0.0',
      timeoutMs: SCRAPE_TIMEOUT_MS,
      logger,
    });
}
