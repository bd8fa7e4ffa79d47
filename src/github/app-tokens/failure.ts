// Why an installation token could not be had, as one of a few reasons a user can act on, each saying
// whether waiting may heal it (transient: GitHub unreachable or rate limited, retried with backoff)
// or not (the App not installed, a repository it cannot reach, a wrong or revoked key, a missing key
// Secret: the attempt fails after the grace period unless fixed meanwhile). Messages never hold a
// token or key: they are built here from statuses and names only.
// The design it implements: docs/design.md §4.8.

export type TokenFailureReason =
  | 'GithubAppKeyMissing'
  | 'GithubAppNotInstalled'
  | 'GithubRepositoryUnreachable'
  | 'GithubAppKeyRejected'
  | 'GithubRequestRefused'
  | 'GithubRateLimited'
  | 'GithubUnreachable';

const TRANSIENT: ReadonlySet<TokenFailureReason> = new Set(['GithubRateLimited', 'GithubUnreachable']);

export class TokenFailure extends Error {
  override name = 'TokenFailure';
  readonly transient: boolean;

  constructor(
    readonly reason: TokenFailureReason,
    message: string,
    /** When GitHub says to try again (a rate limit's reset). */
    readonly retryAt?: Date,
  ) {
    super(message);
    this.transient = TRANSIENT.has(reason);
  }
}

/** The parts of an @octokit/request error read here. */
interface HttpFailure {
  status?: number;
  response?: { headers?: Record<string, string | number | undefined> };
}

const header = (err: HttpFailure, name: string): string | undefined => {
  const v = err.response?.headers?.[name];
  return v === undefined ? undefined : String(v);
};

/** A rate limit's end, from x-ratelimit-reset (epoch seconds) or retry-after (seconds). */
function rateLimitEnd(err: HttpFailure, now: Date): Date | undefined {
  const reset = header(err, 'x-ratelimit-reset');
  if (header(err, 'x-ratelimit-remaining') === '0' && reset) return new Date(Number(reset) * 1000);
  const after = header(err, 'retry-after');
  if (after) return new Date(now.getTime() + Number(after) * 1000);
  return err.status === 429 ? new Date(now.getTime() + 60_000) : undefined;
}

/**
 * The failure of one GitHub call: `step` names what was asked (for the message), `notFound` what a
 * 404 or 422 means for it.
 */
export function classifyGithubError(
  err: unknown,
  step: string,
  notFound: { reason: TokenFailureReason; message: string },
  now: Date,
): TokenFailure {
  if (err instanceof TokenFailure) return err;
  const e = (err ?? {}) as HttpFailure & { message?: string };
  // No answer at all (connection refused, timeout): @octokit/request reports status 500 without a response.
  if (!e.response)
    return new TokenFailure(
      'GithubUnreachable',
      `${step}: GitHub did not answer (${e.message ?? 'unknown error'})`,
    );
  const status = e.status ?? 0;
  const limitEnd = status === 403 || status === 429 ? rateLimitEnd(e, now) : undefined;
  if (limitEnd)
    return new TokenFailure(
      'GithubRateLimited',
      `${step}: GitHub's rate limit is exhausted until ${limitEnd.toISOString()}`,
      limitEnd,
    );
  if (status === 401)
    return new TokenFailure(
      'GithubAppKeyRejected',
      `${step}: GitHub refused the App's credentials (401): is the App id right, the private key current and not revoked?`,
    );
  if (status === 404 || status === 422)
    return new TokenFailure(notFound.reason, `${step}: ${notFound.message}`);
  if (status >= 500) return new TokenFailure('GithubUnreachable', `${step}: GitHub answered ${status}`);
  return new TokenFailure('GithubRequestRefused', `${step}: GitHub refused the request (${status})`);
}
