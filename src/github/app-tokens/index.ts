// GitHub App installation tokens minted by the operator for its agents (docs/design.md §4.8): scoped to an
// attempt, revoked when it ends; the App's key never leaves the process.
// - api-url.ts: where GitHub's REST API is, for github.com or GitHub Enterprise Server.
// - app-keys.ts: the Apps' ids and private keys, read from Secrets and kept a minute.
// - broker.ts: tokens minted for an attempt's repositories and permissions, and revoked.
// - installation.ts: which installation of an App reaches a repository (the broker's and the doctor's).
// - failure.ts: why a token could not be had, as a reason a user can act on, transient or not.
// - scope.ts: what an App run's tokens are for: its repositories, each phase's permissions.
// - timed-fetch.ts: fetch with a time limit and the caller's abort, for every GitHub call.
export { githubApiUrl } from './api-url.js';
export {
  type AppCredentials,
  AppKeys,
  appKeyData,
  appSecretName,
  KEY_CACHE_MS,
  SEED_APP_KEYS,
  type SecretKeyName,
} from './app-keys.js';
export {
  type GithubTokens,
  type MintedToken,
  TokenBroker,
  type TokenBrokerOptions,
  type TokenRequest,
} from './broker.js';
export { classifyGithubError, TokenFailure, type TokenFailureReason } from './failure.js';
export { appAuth, repositoryInstallation } from './installation.js';
export { DEFAULT_PERMISSIONS, READ_PERMISSIONS, type TokenScope, tokenScope } from './scope.js';
export { timedFetch } from './timed-fetch.js';
