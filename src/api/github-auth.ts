// How a run authenticates to GitHub, decided once from its spec: as a GitHub App (CodeRun/DocsRun
// `githubApp`; a TaskRun takes its agent profile's) or as a GitHub user (`githubUser`; a TaskRun's
// `repository.githubUser`), whose SSH key serves git@/ssh:// URLs and whose token serves https URLs.
// The Job builder (which Secrets), the renderer (commit identity), admission and `describe` all read
// this one function. The design it implements: docs/design.md §1.2 (GitHub authentication).

import { asObject } from '../util/index.js';
import type { ControllerConfig } from './types.js';

type Obj = Record<string, unknown>;

export type GitTransport = 'ssh' | 'https';

export type GithubAuth =
  | { method: 'app'; app: string }
  | { method: 'user'; user: string; transports: GitTransport[] }
  | { method: 'none' };

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The URL form decides the transport: scp-like `git@host:path` and `ssh://` are SSH, the rest https. */
export const urlTransport = (url: string): GitTransport =>
  /^(ssh:\/\/|[A-Za-z0-9._-]+@[^/:]+:)/.test(url) ? 'ssh' : 'https';

/** A repository URL a run names, with its field (kubectl style). */
export interface RepositoryField {
  path: string;
  url: string;
}

/** The repository URLs a run clones, by field (a CodeRun two: its repository and its documentation). */
export function runRepositoryFields(spec: Obj): RepositoryField[] {
  const fields: [string, unknown][] = [
    ['spec.repository.url', asObject(spec.repository).url],
    ['spec.repositoryUrl', spec.repositoryUrl],
    ['spec.docsRepositoryUrl', spec.docsRepositoryUrl],
  ];
  return fields.flatMap(([path, v]) => {
    const url = str(v);
    return url === undefined ? [] : [{ path, url }];
  });
}

/** The repository URLs a run clones (a CodeRun two: its repository and its documentation). */
export const runRepositoryUrls = (spec: Obj): string[] => runRepositoryFields(spec).map((f) => f.url);

/** The GitHub user a run names, whatever its kind. */
export const runGithubUser = (spec: Obj): string | undefined =>
  str(spec.githubUser) ?? str(asObject(spec.repository).githubUser);

/**
 * How the run authenticates. A named user wins over an app the TaskRun's profile supplies (a TaskRun
 * cannot name both); a CodeRun/DocsRun naming both (admission and the CRD refuse it) acts as the App.
 * `profileApp` is the agent profile's GitHub App (TaskRun only).
 */
export function githubAuth(spec: Obj, profileApp?: string): GithubAuth {
  const app = str(spec.githubApp);
  if (app) return { method: 'app', app };
  const user = runGithubUser(spec);
  if (user) {
    const transports = [...new Set(runRepositoryUrls(spec).map(urlTransport))].sort();
    return { method: 'user', user, transports };
  }
  return profileApp ? { method: 'app', app: profileApp } : { method: 'none' };
}

/** The run's authentication, with a TaskRun's app taken from its agent profile in the config. */
export function runGithubAuth(spec: Obj, config: ControllerConfig, agent: string | undefined): GithubAuth {
  const profile =
    agent !== undefined && Object.hasOwn(config.agents, agent) ? config.agents[agent] : undefined;
  return githubAuth(spec, profile?.githubApp);
}

/** One line for people (`describe`): which identity and, for a user, which transport for which URLs. */
export function githubAuthText(auth: GithubAuth): string {
  if (auth.method === 'app') return `GitHub App ${auth.app}`;
  if (auth.method === 'none') return 'none (anonymous access)';
  const how = auth.transports.map((t) => (t === 'ssh' ? 'SSH key (git@ URLs)' : 'token (https URLs)'));
  return `GitHub user ${auth.user}${how.length ? `: ${how.join(', ')}` : ''}`;
}

/** The Secret a GitHub user's credential is read from, as the controller config names it. */
export interface UserCredentialSecret {
  credential: 'token' | 'SSH key';
  /** The config's name with `{githubUser}` replaced by the user in lower case. */
  name: string;
}

/**
 * The Secrets a run acting as a GitHub user makes its agent read: the token always (it is optional
 * for SSH URLs but read when present: it opens the pull request), the SSH key when a URL is SSH. A
 * name that needs `{githubApp}` resolves to nothing for a user, and is left out.
 */
export function githubUserSecrets(auth: GithubAuth, config: ControllerConfig): UserCredentialSecret[] {
  if (auth.method !== 'user') return [];
  const { githubToken, githubSshKey } = config.secrets;
  const wanted: [UserCredentialSecret['credential'], string][] = [['token', githubToken.name]];
  if (auth.transports.includes('ssh')) wanted.push(['SSH key', githubSshKey.name]);
  return wanted
    .filter(([, template]) => !template.includes('{githubApp}'))
    .map(([credential, template]) => ({
      credential,
      name: template.replaceAll('{githubUser}', auth.user.toLowerCase()),
    }));
}
