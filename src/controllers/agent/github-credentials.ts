// The GitHub credentials of the pod's two phases that speak to GitHub, from how the run authenticates
// (src/api/github-auth.ts) and the controller config's secrets: the prepare container (checkout) and
// the publisher (push, pull request); the agent's container gets none (docs/security.md, "Phases and
// their credentials"). A GitHub App run's phases each get their own installation token, minted by the
// operator for the attempt into one Secret and mounted read-only key by key: prepare the read-only
// token, the publisher the write token (renewed in place; the App's key never enters the pod,
// docs/design.md §4.8). A GitHub user run's phases get the user's SSH key as a read-only Secret volume
// and token as an env var (the entry script hands them to git). Values only ever come by reference.
// The design it implements: docs/design.md §1.2 (GitHub authentication).
import { AGENT_ENV, type ControllerConfig, type GithubAuth, type SecretKeyRef } from '../../api/index.js';
import type { EnvVar } from './env-var.js';

/** Where a GitHub user's SSH Secret is mounted in the agent container (its keys are files there). */
export const GITHUB_SSH_DIR = '/var/run/secrets/orchestrator/github-ssh';
const SSH_VOLUME = 'github-ssh';
/** Where the attempt's App token Secret is mounted (its key `token` is the file git's helper reads). */
export const GITHUB_TOKEN_DIR = '/var/run/secrets/orchestrator/github-token';
const TOKEN_VOLUME = 'github-token';
/** The keys of the attempt's App token Secret: the write token (the publisher's) and the read-only one (prepare's). */
export const WRITE_TOKEN_KEY = 'token';
export const READ_TOKEN_KEY = 'read-token';
/** Owner read only; the pod's fsGroup lets the run's user (1000) read it through the group. */
const KEY_MODE = 0o400;

/** A configured Secret name with `{githubApp}` / `{githubUser}` replaced (lower case); undefined when the run has neither. */
export function secretName(template: string, auth: GithubAuth): string | undefined {
  const values: Record<string, string | undefined> = {
    '{githubApp}': auth.method === 'app' ? auth.app : undefined,
    '{githubUser}': auth.method === 'user' ? auth.user : undefined,
  };
  let name = template;
  for (const [placeholder, value] of Object.entries(values)) {
    if (!name.includes(placeholder)) continue;
    if (value === undefined) return undefined;
    name = name.replaceAll(placeholder, value.toLowerCase());
  }
  return name;
}

/** The env var of one configured Secret key, when its name resolves for this run. */
export function secretEnv(
  name: string,
  ref: SecretKeyRef | undefined,
  auth: GithubAuth,
  optional = false,
): EnvVar[] {
  const secret = ref ? secretName(ref.name, auth) : undefined;
  if (!ref || secret === undefined) return [];
  return [
    { name, valueFrom: { secretKeyRef: { name: secret, key: ref.key, ...(optional ? { optional } : {}) } } },
  ];
}

/**
 * The credential env vars: the path of the App token's file (when the operator minted one, the Secret
 * `tokenSecret`); or the user's token (required for an https URL, optional otherwise: it only lets the
 * stop hook open the pull request) and the path of the SSH key.
 */
function githubEnv(auth: GithubAuth, config: ControllerConfig, tokenSecret?: string): EnvVar[] {
  const { secrets } = config;
  if (auth.method === 'app')
    return tokenSecret ? [{ name: AGENT_ENV.githubAppTokenFile, value: `${GITHUB_TOKEN_DIR}/token` }] : [];
  if (auth.method === 'none') return [];
  const https = auth.transports.includes('https');
  const ssh = auth.transports.includes('ssh');
  return [
    ...secretEnv(AGENT_ENV.githubToken, secrets.githubToken, auth, !https),
    ...(ssh
      ? [{ name: AGENT_ENV.githubSshKeyFile, value: `${GITHUB_SSH_DIR}/${secrets.githubSshKey.key}` }]
      : []),
  ];
}

/** The user's SSH Secret as a volume and its read-only mount, when a URL of the run is SSH. */
function githubSshVolume(auth: GithubAuth, config: ControllerConfig) {
  if (auth.method !== 'user' || !auth.transports.includes('ssh')) return undefined;
  const secret = secretName(config.secrets.githubSshKey.name, auth);
  if (secret === undefined) return undefined;
  return {
    // The whole Secret: its key, and a known_hosts key when it has one (the entry script checks both).
    // Optional: a missing Secret would hold the pod in ContainerCreating until the Job's deadline,
    // while the entry script fails the attempt at once, saying which key it could not read.
    volume: { name: SSH_VOLUME, secret: { secretName: secret, defaultMode: KEY_MODE, optional: true } },
    mount: { name: SSH_VOLUME, mountPath: GITHUB_SSH_DIR, readOnly: true },
  };
}

/** Which phase a credential is for: the checkout's read-only one, or the publisher's write one. */
export type CredentialPhase = 'read' | 'write';

/**
 * The attempt's App token Secret as a volume and its read-only mount, holding only the phase's key
 * (the read or the write token) as the file `token`: a Secret volume (not subPath) so the kubelet
 * updates the file in place when the operator renews the token.
 */
export function githubTokenVolume(tokenSecret: string | undefined, phase: CredentialPhase) {
  if (!tokenSecret) return undefined;
  const name = `${TOKEN_VOLUME}-${phase}`;
  const key = phase === 'read' ? READ_TOKEN_KEY : WRITE_TOKEN_KEY;
  return {
    volume: {
      name,
      secret: { secretName: tokenSecret, defaultMode: KEY_MODE, items: [{ key, path: 'token' }] },
    },
    mount: { name, mountPath: GITHUB_TOKEN_DIR, readOnly: true },
  };
}

/** A phase's GitHub credentials: its variables, volumes and mounts. */
export function phaseCredentials(
  auth: GithubAuth,
  config: ControllerConfig,
  tokenSecret: string | undefined,
  phase: CredentialPhase,
) {
  const ssh = githubSshVolume(auth, config);
  const token = githubTokenVolume(tokenSecret, phase);
  const files = [...(ssh ? [ssh] : []), ...(token ? [token] : [])];
  return {
    env: githubEnv(auth, config, tokenSecret),
    volumes: files.map((f) => f.volume),
    mounts: files.map((f) => f.mount),
  };
}
