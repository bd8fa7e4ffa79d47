// The repositories a run acting as a GitHub App has the operator mint its installation token for:
// one function, read by the token's scope (src/github/app-tokens/scope.ts) and by the
// submitter's authorisation (src/admission/references/repositories.ts), so that what is checked at
// admission and what the token can reach cannot drift apart (docs/security.md).
import { repositoryKey } from '../naming/index.js';
import { runAgent } from './defaulting.js';
import { runGithubAuth, runRepositoryFields } from './github-auth.js';
import type { RunKindName } from './kinds.js';
import type { ControllerConfig } from './types.js';

type Obj = Record<string, unknown>;

/** One repository of the token, with the field naming it. */
export interface AppRepository {
  /** The field, kubectl style: spec.repositoryUrl, spec.docsRepositoryUrl, spec.repository.url. */
  path: string;
  /** `host/owner/repo`, lower case (naming/repository-key.ts). */
  key: string;
  repo: string;
}

/** An App run's token: the App, the installation's owner (lower case) and its repositories. */
export interface AppRepositories {
  app: string;
  host: string;
  owner: string;
  repositories: AppRepository[];
}

/**
 * The repositories of the run's App token: those of its URLs on github.host of the same owner as its
 * first (a token belongs to one installation). Undefined for a user or anonymous run, or one with no
 * repository on github.host: no token is minted for it.
 */
export function appRepositories(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  auth = runGithubAuth(spec, config, runAgent(kind, spec, config)),
): AppRepositories | undefined {
  if (auth.method !== 'app') return undefined;
  const host = config.github.host.toLowerCase().replace(/:\d+$/, '');
  const onHost = runRepositoryFields(spec).flatMap(({ path, url }) => {
    const key = repositoryKey(url, config.github.host);
    const parts = key?.split('/');
    return key && parts?.length === 3 && parts[0] === host
      ? [{ path, key, owner: parts[1] as string, repo: parts[2] as string }]
      : [];
  });
  const owner = onHost[0]?.owner;
  if (!owner) return undefined;
  const repositories = onHost
    .filter((r) => r.owner === owner)
    .map(({ path, key, repo }) => ({ path, key, repo }));
  return { app: auth.app, host, owner, repositories };
}
