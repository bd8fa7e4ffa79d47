// GitHub's answer to "what may this login do on this repository": GET
// /repos/{owner}/{repo}/collaborators/{username}/permission, asked with an installation token of the
// App (app-tokens/) minted for that one repository with `metadata: read` (what GitHub requires of the
// endpoint), kept until shortly before it expires. Answers are kept briefly (default 60 s, so a revoked
// collaborator stops within a minute) in a map bounded in entries; failures are not kept. Every call
// has a time limit. Read GitHub's fields as it documents them: `user.permissions` (pull, triage, push,
// maintain, admin) is the base role a custom role derives from; `role_name` names base roles directly;
// `permission` is the legacy field (maintain reads as write, triage as read), used last.
import { request } from '@octokit/request';
import { classifyGithubError, type GithubTokens, timedFetch } from './app-tokens/index.js';
import {
  type PermissionQuery,
  REPOSITORY_ROLES,
  type RepositoryPermissions,
  type RepositoryRole,
  type Standing,
} from './trigger-permission.js';

export interface CollaboratorPermissionsOptions {
  tokens: GithubTokens;
  /** The REST API base URL (read at each call: github.host is hot-reloaded). */
  apiUrl: () => string;
  /** Each GitHub call's limit. Default 5 s (a delivery's whole answer has 10). */
  timeoutMs?: number;
  /** How long an answer is kept. Default 60 s. */
  ttlMs?: number;
  /** Answers kept at most (the oldest dropped first). Default 1,000. */
  maxEntries?: number;
  /** Tokens kept at most, one per App and repository. Default 100. */
  maxTokens?: number;
  now?: () => number;
}

/** The base role GitHub's answer states, from its most precise field present. */
export function standingOf(data: unknown): Standing {
  const d = (data ?? {}) as {
    permission?: unknown;
    role_name?: unknown;
    user?: { permissions?: Record<string, unknown> } | null;
  };
  const flags = d.user?.permissions;
  if (flags) {
    if (flags.admin === true) return 'admin';
    if (flags.maintain === true) return 'maintain';
    if (flags.push === true) return 'write';
    if (flags.triage === true) return 'triage';
    if (flags.pull === true) return 'read';
    return 'none';
  }
  if (REPOSITORY_ROLES.includes(d.role_name as RepositoryRole)) return d.role_name as RepositoryRole;
  const legacy = d.permission;
  return legacy === 'admin' || legacy === 'write' || legacy === 'read' ? legacy : 'none';
}

/** A token expiring within this is not used for a new call. */
const TOKEN_MARGIN_MS = 5 * 60_000;

export class CollaboratorPermissions implements RepositoryPermissions {
  private readonly answers = new Map<string, { standing: Standing; at: number }>();
  private readonly tokens = new Map<string, { token: string; expiresAt: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: CollaboratorPermissionsOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Answers held now (for tests and the memory bound). */
  get size(): number {
    return this.answers.size;
  }

  async standing(q: PermissionQuery, signal?: AbortSignal): Promise<Standing> {
    const baseUrl = this.opts.apiUrl();
    const [owner = '', repo = ''] = q.repository.split('/');
    const key = [baseUrl, q.app, q.repository, q.login].join('\0').toLowerCase();
    const kept = this.answers.get(key);
    if (kept && this.now() - kept.at < (this.opts.ttlMs ?? 60_000)) return kept.standing;
    const token = await this.token(q.app, owner, repo, baseUrl, signal);
    let standing: Standing;
    try {
      const { data } = await request('GET /repos/{owner}/{repo}/collaborators/{username}/permission', {
        baseUrl,
        owner,
        repo,
        username: q.login,
        headers: { authorization: `token ${token}` },
        request: { fetch: this.timed(signal) },
      });
      standing = standingOf(data);
    } catch (err) {
      const status = (err as { status?: number }).status;
      // GitHub's 404 here: no such user (or not one it reports on this repository). Nothing to grant.
      if (status === 404) standing = 'none';
      else {
        // A refused token is dropped: the next delivery mints another.
        if (status === 401) this.tokens.delete(this.tokenKey(q.app, q.repository, baseUrl));
        throw classifyGithubError(
          err,
          `asking GitHub for ${q.login}'s permission on ${q.repository}`,
          { reason: 'GithubRequestRefused', message: 'GitHub refused the question' },
          new Date(this.now()),
        );
      }
    }
    this.answers.delete(key);
    this.answers.set(key, { standing, at: this.now() });
    trim(this.answers, this.opts.maxEntries ?? 1000);
    return standing;
  }

  private tokenKey(app: string, repository: string, baseUrl: string) {
    return [baseUrl, app, repository].join('\0').toLowerCase();
  }

  /** A metadata-read token for one repository, minted once and kept until shortly before it expires. */
  private async token(
    app: string,
    owner: string,
    repo: string,
    baseUrl: string,
    signal?: AbortSignal,
  ): Promise<string> {
    const key = this.tokenKey(app, `${owner}/${repo}`, baseUrl);
    const kept = this.tokens.get(key);
    if (kept && kept.expiresAt - this.now() > TOKEN_MARGIN_MS) return kept.token;
    const minted = await this.opts.tokens.mint(
      { app, owner, repositories: [repo], permissions: { metadata: 'read' } },
      signal,
    );
    this.tokens.delete(key);
    this.tokens.set(key, { token: minted.token, expiresAt: minted.expiresAt.getTime() });
    // Dropped tokens are not revoked: each reads one repository's metadata and expires within the hour.
    trim(this.tokens, this.opts.maxTokens ?? 100);
    return minted.token;
  }

  /** fetch with this checker's time limit, and the caller's abort. */
  private timed(signal?: AbortSignal): typeof fetch {
    return timedFetch(this.opts.timeoutMs ?? 5000, signal);
  }
}

/** Drops the oldest-written entries past `max` (a Map iterates in insertion order). */
function trim<V>(map: Map<string, V>, max: number): void {
  while (map.size > max) map.delete(map.keys().next().value as string);
}
