// Serving bytes safely, for every listener of the process (webhook, REST API, secure metrics): HTTPS with
// the certificate reloaded in place, request bodies read within a budget, rate limits per caller
// (docs/security.md "Listener budgets"). No routes: those are src/webhook's, src/rest's and src/app's.
// - certwatcher-metrics.ts: controller-runtime's certwatcher metrics, and when the served certificate
//   expires.
// - client-caps.ts: what one client (an address, a credential) may hold of a listener's requests.
// - connection-limits.ts: a listener's connections bounded in all, per client address and for addresses
//   that sent no request, with a reserve for trusted sources, and the time a new one has for its
//   handshake and headers.
// - https-server.ts: the HTTPS listener that the webhook server and the REST API share.
// - json-body.ts: a request body (and its JSON) read within limits; errors safe to show the client.
// - json-cost.ts: what JSON.parse will allocate for a body, estimated before it is parsed.
// - listener-budget.ts: a listener's budget of requests and bytes, decided from the headers alone.
// - reloading-tls.ts: the serving pair read, proven usable and swapped in place when its files change.
// - request-target.ts: the one reading of a request's path that budgets and (strict) routers share.
// - source-trust.ts: which client addresses are the platform's own (configured ranges, or proven by a
//   client certificate): they take a listener's reserve.
// - token-buckets.ts: a token bucket per caller, memory bounded by the callers active lately.

export { certWatcherMetrics } from './certwatcher-metrics.js';
export type { ClientCap } from './client-caps.js';
export {
  applyRequestTimeouts,
  type ConnectionLimits,
  connectionsCheckingInterval,
  DEFAULT_CONNECTION_LIMITS,
  limitConnections,
} from './connection-limits.js';
export { type HttpsServer, startHttpsServer } from './https-server.js';
export { type BodyFloor, HttpError, readBody, readJsonBody, reserveParse } from './json-body.js';
export { ListenerBudget, type ListenerLimits } from './listener-budget.js';
export type { CertificateFiles } from './reloading-tls.js';
export { originFormPath, STRICT_ROUTES } from './request-target.js';
export { plainAddress, rangeProblem, type SourceTrust, sourceTrust } from './source-trust.js';
export { TokenBuckets } from './token-buckets.js';
