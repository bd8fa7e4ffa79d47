// Installation access tokens minted by the operator for one attempt: scoped to the attempt's
// repositories (all of one owner: a token belongs to one installation) and to its agent's permissions.
// @octokit/auth-app makes the App's JWT (clock skew included); @octokit/request talks to GitHub; the
// installation of an owner is looked up once and kept. Every call has a time limit. Tokens are
// revoked (DELETE /installation/token, authenticated by the token itself) when the attempt ends.
// The design it implements: docs/design.md §4.8.
import { request } from '@octokit/request';
import { Counter, type Registry } from 'prom-client';
import type { AppCredentials } from './app-keys.js';
import { classifyGithubError, TokenFailure } from './failure.js';
import { appAuth, repositoryInstallation } from './installation.js';
import { timedFetch } from './timed-fetch.js';

export interface TokenRequest {
  app: string;
  owner: string;
  /** Repository names (without the owner). */
  repositories: string[];
  /** GitHub App permissions by name (`contents: write`). */
  permissions: Record<string, string>;
}

export interface MintedToken {
  token: string;
  expiresAt: Date;
}

/** What the reconciler needs of GitHub: a token for an attempt, and its end. */
export interface GithubTokens {
  /** A new token; a {@link TokenFailure} says why not. */
  mint(req: TokenRequest, signal?: AbortSignal): Promise<MintedToken>;
  /** Revokes `token`; one already expired or revoked is no error. */
  revoke(token: string, signal?: AbortSignal): Promise<void>;
}

export interface TokenBrokerOptions {
  /** The App's id and key (AppKeys: from a Secret in the operator's namespace). */
  keys: { of(app: string, signal?: AbortSignal): Promise<AppCredentials> };
  /** The REST API base URL (read at each call: github.host is hot-reloaded). */
  apiUrl: () => string;
  /** Each GitHub call's limit. Default 10 s. */
  timeoutMs?: number;
  /** How long an owner's installation id is kept. Default 10 minutes. */
  installationTtlMs?: number;
  registry?: Registry;
  now?: () => Date;
}

type Fetch = typeof fetch;

export class TokenBroker implements GithubTokens {
  private readonly installations = new Map<string, { id: number; at: number }>();
  private readonly calls: Counter<'operation' | 'outcome'> | undefined;
  private readonly now: () => Date;

  constructor(private readonly opts: TokenBrokerOptions) {
    this.now = opts.now ?? (() => new Date());
    this.calls =
      opts.registry &&
      new Counter({
        name: 'orchestrator_github_token_requests_total',
        help: 'GitHub App installation token requests by operation (mint, revoke) and outcome (ok, or the failure reason).',
        labelNames: ['operation', 'outcome'],
        registers: [opts.registry],
      });
  }

  async mint(req: TokenRequest, signal?: AbortSignal): Promise<MintedToken> {
    try {
      const minted = await this.mintOnce(req, signal);
      this.calls?.inc({ operation: 'mint', outcome: 'ok' });
      return minted;
    } catch (err) {
      const failure =
        err instanceof TokenFailure ? err : classifyGithubError(err, 'minting', unknownStep, this.now());
      this.calls?.inc({ operation: 'mint', outcome: failure.reason });
      throw failure;
    }
  }

  async revoke(token: string, signal?: AbortSignal): Promise<void> {
    try {
      await request('DELETE /installation/token', {
        baseUrl: this.opts.apiUrl(),
        headers: { authorization: `token ${token}` },
        request: { fetch: this.timed(signal) },
      });
      this.calls?.inc({ operation: 'revoke', outcome: 'ok' });
    } catch (err) {
      // An expired or already revoked token is refused with 401: it no longer works, which was the aim.
      if ((err as { status?: number }).status === 401) {
        this.calls?.inc({ operation: 'revoke', outcome: 'ok' });
        return;
      }
      const failure = classifyGithubError(err, 'revoking the token', unknownStep, this.now());
      this.calls?.inc({ operation: 'revoke', outcome: failure.reason });
      throw failure;
    }
  }

  private async mintOnce(req: TokenRequest, signal?: AbortSignal): Promise<MintedToken> {
    const { appId, privateKey } = await this.opts.keys.of(req.app, signal);
    const fetch = this.timed(signal);
    const baseUrl = this.opts.apiUrl();
    const auth = appAuth({ appId, privateKey }, { baseUrl, fetch });
    const installationId = await this.installation(req, auth.hook, baseUrl, fetch);
    try {
      // refresh: the library's own token cache would hand a revoked token to the next attempt.
      const token = await auth({
        type: 'installation',
        installationId,
        repositoryNames: req.repositories,
        permissions: req.permissions,
        refresh: true,
      });
      return { token: token.token, expiresAt: new Date(token.expiresAt) };
    } catch (err) {
      // The installation may have changed: look it up again next time.
      this.installations.delete(this.installationKey(req, baseUrl));
      throw classifyGithubError(
        err,
        `GitHub App ${req.app}: a token for ${req.owner}/{${req.repositories.join(',')}}`,
        {
          reason: 'GithubRepositoryUnreachable',
          message: `the App's installation on ${req.owner} cannot reach every one of these repositories, or does not grant the permissions ${JSON.stringify(req.permissions)} (the agent profile's githubPermissions)`,
        },
        this.now(),
      );
    }
  }

  private installationKey(req: TokenRequest, baseUrl: string) {
    return `${baseUrl}\0${req.app}\0${req.owner.toLowerCase()}`;
  }

  /** The App's installation on the owner of the first repository, kept for installationTtlMs. */
  private async installation(
    req: TokenRequest,
    hook: ReturnType<typeof appAuth>['hook'],
    baseUrl: string,
    fetch: Fetch,
  ): Promise<number> {
    const key = this.installationKey(req, baseUrl);
    const ttl = this.opts.installationTtlMs ?? 600_000;
    const known = this.installations.get(key);
    if (known && this.now().getTime() - known.at < ttl) return known.id;
    const repo = req.repositories[0] ?? '';
    try {
      const id = await repositoryInstallation(hook, { owner: req.owner, repo }, { baseUrl, fetch });
      this.installations.set(key, { id, at: this.now().getTime() });
      return id;
    } catch (err) {
      throw classifyGithubError(
        err,
        `GitHub App ${req.app}: looking up its installation for ${req.owner}/${repo}`,
        {
          reason: 'GithubAppNotInstalled',
          message: `the App is not installed on ${req.owner}, or its installation does not include ${repo} (install it, or add the repository to it)`,
        },
        this.now(),
      );
    }
  }

  /** fetch with this broker's time limit, and the caller's abort. */
  private timed(signal?: AbortSignal): Fetch {
    return timedFetch(this.opts.timeoutMs ?? 10_000, signal);
  }
}

const unknownStep = { reason: 'GithubRequestRefused' as const, message: 'GitHub found nothing' };
