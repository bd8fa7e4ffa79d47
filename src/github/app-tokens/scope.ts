// What an App run's installation tokens are for: the repositories of its URLs on github.host of its
// first URL's owner (appRepositories, which admission authorises for the submitter too) and the
// permissions of each phase's token: the publisher's are the agent profile's, the checkout's read-only
// (docs/security.md "Phases and their credentials"). Pure.
// The design it implements: docs/design.md §4.8.
import {
  appRepositories,
  type ControllerConfig,
  type RunKindName,
  type RunOf,
  runProfile,
} from '../../api/index.js';

/** The permissions of the read-only token the prepare container checks out with. */
export const READ_PERMISSIONS: Readonly<Record<string, string>> = Object.freeze({
  contents: 'read',
  metadata: 'read',
});

/** The default permissions of an agent's (the publisher's) token (schemas/controller-config: githubPermissions). */
export const DEFAULT_PERMISSIONS: Readonly<Record<string, string>> = Object.freeze({
  contents: 'write',
  pull_requests: 'write',
  metadata: 'read',
});

/** What a token is asked for. */
export interface TokenScope {
  app: string;
  owner: string;
  repositories: string[];
  permissions: Record<string, string>;
}

/**
 * What the run's App token is for, when the run acts as a GitHub App: the repositories of its URLs
 * on github.host of the same owner as its first (a token belongs to one installation), and its agent
 * profile's permissions. Undefined for a user or anonymous run, or one with no GitHub repository.
 */
export function tokenScope<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
): TokenScope | undefined {
  const token = appRepositories(kind, run.spec as Record<string, unknown>, config);
  if (!token) return undefined;
  const repositories = [...new Set(token.repositories.map((r) => r.repo))];
  const permissions = runProfile(kind, run.spec, config)?.githubPermissions ?? DEFAULT_PERMISSIONS;
  return { app: token.app, owner: token.owner, repositories, permissions: { ...permissions } };
}
