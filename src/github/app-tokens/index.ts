// GitHub App installation tokens minted by the operator for its agents (docs/design.md §4.8).

export { githubApiUrl } from './api-url.js';
export { type AppCredentials, AppKeys, KEY_CACHE_MS, type SecretKeyName } from './app-keys.js';
export {
  type GithubTokens,
  type MintedToken,
  TokenBroker,
  type TokenBrokerOptions,
  type TokenRequest,
} from './broker.js';
export { classifyGithubError, TokenFailure, type TokenFailureReason } from './failure.js';
