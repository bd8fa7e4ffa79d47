// The model gateway (docs/economics.md "The model gateway", docs/security.md "The model gateway"):
// every replica serves the model API to the agents on its own port, each call authenticated by its
// attempt's token, checked against the attempt's and the teams' limits, forwarded with the platform's
// key (which no pod holds) and metered from the answer's usage. Provider-neutral but for provider.ts's
// shape and one object per provider's API (Anthropic's, OpenAI's, Gemini's).
// - allowlist.ts: what a call's body and beta flags may ask for: the fields, tools and flags the CLIs send.
// - anthropic.ts: Anthropic's Messages API as the Claude Code CLI calls it: routes, credential, usage, errors.
// - anthropic-cache.ts: which bytes of a Messages request may be cache writes, by its breakpoints.
// - attempt-token.ts: an attempt's token, minted and verified with the gateway's signing key.
// - call-body.ts: a call's body parsed once, checked, and turned into the JSON forwarded.
// - duplicate-key.ts: a key an object of a JSON text repeats, which parsers may read apart.
// - credential-route.ts: where a container trades its projected ServiceAccount token for a credential.
// - budgets.ts: the listener's budgets: the model API's (with each address's and token's share), the broker's.
// - github-token-route.ts: the phases' GitHub token broker's route on this listener (src/github/phase-tokens decides).
// - handler.ts: a call from route to ledger: token, body bound, price, limits, streamed forwarding, usage.
// - gemini.ts: the Gemini API (generateContent, streamGenerateContent) as the Gemini CLI calls it.
// - input-bound.ts: the most a call's input can cost, from its bytes by kind and the model's window.
// - in-flight.ts: the calls a replica serves, counted until recorded, so that a stopping replica waits for them.
// - job-authenticator.ts: a verified token accepted only while the Job of its uid runs.
// - model-token-issuer.ts: the agent container's token, handed to it for its projected ServiceAccount token.
// - json-usage.ts: a JSON answer's usage, read once it ends by the provider's reading of it.
// - coalescer.ts: the changes of one key made together, one write per interval at most.
// - kube-ledger.ts: the ledger the replicas share: a ConfigMap per attempt and day in the operator's
//   namespace, added to under optimistic concurrency, pruned past the longest budget window.
// - ledger-cache.ts: a replica's view of the ledger's records: the watch's, and its own writes as they land.
// - ledger-informer.ts: the ledger as a replica runs it, over a watch of its records.
// - ledger-index.ts: the ledger as the leader's cache holds it: an attempt's metered usage and refusal.
// - ledger-record.ts: one ledger record: its name, labels, data, and the moment its spend counts at.
// - limits.ts: the limits covering an attempt's call: its run's spend limit and the team budgets over
//   its namespace, each with what the ledger says it spent.
// - openai.ts: OpenAI's Responses API as the Codex CLI calls it.
// - openai-unmeterable.ts: the Responses API's fields whose cost the gateway could not meter, refused.
// - operator-secrets.ts: the platform's key and the token signing key, read from the operator's namespace.
// - prices.ts: the price table: which entry prices a model, what tokens cost, what a remainder buys.
// - reservation.ts: what a call without its provider's final usage is billed: its reservation.
// - provider.ts: what the gateway needs of a provider's API (each provider is one object).
// - provider-routes.ts: one listener for every provider's API, each under its path prefix.
// - server.ts: the listener, its connections and requests bounded before the token is checked.
// - spend-gate.ts: the limits a call is checked against (the run's, the team budgets'), the output cap.
// - sse-usage.ts: a streamed answer's usage read from its events as they pass (the provider says which).
// - tokens.ts: token counts by kind, and each provider's usage object read into them.
// - upstream.ts: one call to the provider, streamed both ways, ended by a signal.
export { anthropic } from './anthropic.js';
export { mintAttemptToken, type TokenClaims, verifyAttemptToken } from './attempt-token.js';
export { brokerBudget, modelBudget } from './budgets.js';
export { credentialRoute } from './credential-route.js';
export { gemini } from './gemini.js';
export { GITHUB_TOKEN_PATHS, githubTokenRoute, tokenPhase } from './github-token-route.js';
export { type GatewayAttempt, gatewayHandler, type MeteredCall } from './handler.js';
export { InFlight } from './in-flight.js';
export { JobAuthenticator } from './job-authenticator.js';
export { KubeLedger } from './kube-ledger.js';
export { LedgerIndex, type MeteredAttempts } from './ledger-index.js';
export { startKubeLedger } from './ledger-informer.js';
export { countsAt, LEDGER_SELECTOR, readRecord } from './ledger-record.js';
export { gatewayLimits, selectedNamespaces } from './limits.js';
export {
  MODEL_TOKEN_AUDIENCE,
  MODEL_TOKEN_PATH,
  ModelTokenIssuer,
} from './model-token-issuer.js';
export { openai } from './openai.js';
export { type SecretKeyRef, secretValue, signingKey } from './operator-secrets.js';
export { callCostMicros, type PriceTable } from './prices.js';
export type { Provider } from './provider.js';
export { providerRoutes } from './provider-routes.js';
export { startGatewayServer } from './server.js';
export { type Ledger, LimitGate, type SpendLimit } from './spend-gate.js';
