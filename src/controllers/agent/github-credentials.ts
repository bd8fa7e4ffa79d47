// The GitHub credentials of the pod's two phases that speak to GitHub, from how the run authenticates
// (src/api/github-auth.ts) and the controller config's secrets: the prepare container (checkout) and
// the publisher (push, pull request); the agent's container gets none (docs/security.md, "Phases and
// their credentials"). A GitHub App run's phases each ask the operator's token broker for their own
// installation token when they need it (prepare the read-only one, the publisher the write one), with
// a projected ServiceAccount token of the broker's audience mounted in those two containers only; no
// token is ever in a Secret of the run's namespace, and the App's key never enters the pod
// (docs/design.md §4.8). A GitHub user run's phases get the user's SSH key as a read-only Secret
// volume and token as an env var (the entry script hands them to git). Values only ever come by reference.
// The design it implements: docs/design.md §1.2 (GitHub authentication).
import { AGENT_ENV, type ControllerConfig, type GithubAuth, type SecretKeyRef } from '../../api/index.js';
import { GITHUB_TOKEN_PATHS } from '../../gateway/index.js';
import { PHASE_TOKEN_AUDIENCE } from '../../github/index.js';
import type { EnvVar } from './env-var.js';

/** Where a GitHub user's SSH Secret is mounted in the agent container (its keys are files there). */
export const GITHUB_SSH_DIR = '/var/run/secrets/orchestrator/github-ssh';
const SSH_VOLUME = 'github-ssh';
/** Where a phase's projected ServiceAccount token (what it asks the broker with) is mounted. */
export const TOKEN_CREDENTIAL_DIR = '/var/run/secrets/orchestrator/github-token-credential';
const CREDENTIAL_VOLUME = 'github-token-credential';
/** Its life: the kubelet's minimum; the kubelet renews the file before it ends. */
const CREDENTIAL_SECONDS = 600;
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
 * Whether the operator mints GitHub App tokens: the config names the Apps' key Secrets. Its broker is
 * reached at the gateway's listener (gateway.url). Without, an App run's phases get no token and access
 * its repositories anonymously.
 */
export function mintsAppTokens(config: ControllerConfig): boolean {
  const { githubAppId, githubAppPrivateKey } = config.secrets;
  return !!(githubAppId && githubAppPrivateKey);
}

/** Which phase a credential is for: the checkout's read-only one, or the publisher's write one. */
export type CredentialPhase = keyof typeof GITHUB_TOKEN_PATHS;

/**
 * The credential env vars: where an App run's phase asks for its token and the file it asks with; or
 * the user's token (required for an https URL, optional otherwise: it only lets the publisher open
 * the pull request) and the path of the SSH key.
 */
function githubEnv(auth: GithubAuth, config: ControllerConfig, phase: CredentialPhase): EnvVar[] {
  const { secrets } = config;
  if (auth.method === 'app')
    return mintsAppTokens(config)
      ? [
          {
            name: AGENT_ENV.githubTokenUrl,
            value: `${config.gateway.url.replace(/\/+$/, '')}${GITHUB_TOKEN_PATHS[phase]}`,
          },
          { name: AGENT_ENV.githubTokenCredentialFile, value: `${TOKEN_CREDENTIAL_DIR}/token` },
        ]
      : [];
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

/**
 * A credential a container asks the operator with: a projected ServiceAccount token of `audience`,
 * bound to the pod, in volume `name` mounted at `dir` (token file `token`) by the containers given it.
 */
export function projectedToken(name: string, dir: string, audience: string) {
  const token = { audience, expirationSeconds: CREDENTIAL_SECONDS, path: 'token' };
  return {
    volume: { name, projected: { defaultMode: KEY_MODE, sources: [{ serviceAccountToken: token }] } },
    mount: { name, mountPath: dir, readOnly: true },
  };
}

/**
 * An App run phase's credential at the broker: a projected ServiceAccount token of the broker's
 * audience, in a volume only the prepare and publish containers mount.
 */
function tokenCredentialVolume(auth: GithubAuth, config: ControllerConfig) {
  if (auth.method !== 'app' || !mintsAppTokens(config)) return undefined;
  return projectedToken(CREDENTIAL_VOLUME, TOKEN_CREDENTIAL_DIR, PHASE_TOKEN_AUDIENCE);
}

/** A phase's GitHub credentials: its variables, volumes and mounts. */
export function phaseCredentials(auth: GithubAuth, config: ControllerConfig, phase: CredentialPhase) {
  const ssh = githubSshVolume(auth, config);
  const token = tokenCredentialVolume(auth, config);
  const files = [...(ssh ? [ssh] : []), ...(token ? [token] : [])];
  return {
    env: githubEnv(auth, config, phase),
    volumes: files.map((f) => f.volume),
    mounts: files.map((f) => f.mount),
  };
}
