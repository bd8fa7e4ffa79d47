// A comment the operator posts on a pull request, once: with an installation token of the run's App
// minted for that one repository (pull_requests: write, which GitHub asks of issue comments on a pull
// request) and revoked after, it first looks among the pull request's comments for the comment's
// marker (a comment of the App's own bot, `{app}[bot]`, not a person's or another App's, updated since
// `since`), and posts only when none has it.
// So a comment posted whose record was lost (the operator stopped in between) is found, not doubled.
// `upsert` does the same for a comment kept up to date (a play's stages): found, it is edited in place
// when its body differs, as only its author, the App, may.
// Every call has a time limit; a failure is a TokenFailure, transient or not (app-tokens/failure.ts).
import { request } from '@octokit/request';
import { classifyGithubError, type GithubTokens, timedFetch } from './app-tokens/index.js';

/** A pull request, as its web address names it. */
export interface PullRequestRef {
  owner: string;
  repo: string;
  number: number;
}

const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/** A host without its port: github.host names a GitHub Enterprise host with the port it serves on, or not. */
const hostName = (host: string) => host.toLowerCase().replace(/:\d+$/, '');

/**
 * The pull request `url` names on GitHub at `host` (`https://{host}/{owner}/{repo}/pull/{n}`, ports
 * aside: the calls go to the configured API, never to the URL's host), else undefined.
 */
export function pullRequestOf(url: string | undefined, host: string): PullRequestRef | undefined {
  const m = /^https:\/\/([^/?#]+)\/([^/?#]+)\/([^/?#]+)\/pull\/([1-9][0-9]{0,9})\/?$/.exec(url ?? '');
  if (!m) return undefined;
  const [, at = '', owner = '', repo = '', n = ''] = m;
  const number = Number(n);
  if (hostName(at) !== hostName(host) || !NAME.test(owner) || !NAME.test(repo)) return undefined;
  return number <= 2 ** 31 - 1 ? { owner, repo, number } : undefined;
}

export interface CommentRequest {
  /** The GitHub App whose installation comments. */
  app: string;
  pullRequest: PullRequestRef;
  /** A line of `body` that names this comment alone. */
  marker: string;
  body: string;
  /** The comment cannot be older than this (RFC 3339): earlier comments are not searched. */
  since?: string;
  /**
   * What the number names: a pull request (default; its comments need pull_requests: write) or an issue
   * (issues: write), as GitHub asks of each.
   */
  on?: 'pull_request' | 'issue';
}

export interface PostedComment {
  /** The comment's web address. */
  url: string;
  /** It was there already: nothing was posted. */
  found: boolean;
}

/** What the egress comments need of GitHub. */
export interface PullRequestComments {
  post(req: CommentRequest, signal?: AbortSignal): Promise<PostedComment>;
}

export interface UpsertedComment {
  url: string;
  /** What was done: posted anew, edited in place, or found with that body already. */
  done: 'posted' | 'edited' | 'unchanged';
}

/** What a comment kept up to date needs of GitHub (the play's stage report). */
export interface PullRequestReports {
  upsert(req: CommentRequest, signal?: AbortSignal): Promise<UpsertedComment>;
}

export interface GithubPullRequestCommentsOptions {
  tokens: GithubTokens;
  /** The REST API base URL (read at each call: github.host is hot-reloaded). */
  apiUrl: () => string;
  /** Each GitHub call's limit. Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
}

/** The pages of comments searched for the marker (100 each), newest pages being the last. */
const MAX_PAGES = 5;

/** What every call on the pull request's comments carries. */
interface Call {
  baseUrl: string;
  owner: string;
  repo: string;
  issue_number: number;
  headers: { authorization: string };
  request: { fetch: typeof fetch };
}

interface IssueComment {
  id: number;
  body?: string;
  html_url: string;
  user: { login?: string; type?: string } | null;
}

/** Whether `user` is the bot of the App `app`: `{app-slug}[bot]`, an App's name compared as GitHub does, without case. */
const isBotOf = (app: string, user: IssueComment['user']) =>
  user?.type === 'Bot' && user.login?.toLowerCase() === `${app.toLowerCase()}[bot]`;

export class GithubPullRequestComments implements PullRequestComments, PullRequestReports {
  constructor(private readonly opts: GithubPullRequestCommentsOptions) {}

  async post(req: CommentRequest, signal?: AbortSignal): Promise<PostedComment> {
    return this.withCall(req, signal, async (call) => {
      const found = await this.find(call, req);
      if (found) return { url: found.html_url, found: true };
      return { url: await this.create(call, req), found: false };
    });
  }

  async upsert(req: CommentRequest, signal?: AbortSignal): Promise<UpsertedComment> {
    return this.withCall(req, signal, async (call) => {
      const found = await this.find(call, req);
      if (!found) return { url: await this.create(call, req), done: 'posted' };
      if (found.body === req.body) return { url: found.html_url, done: 'unchanged' };
      const { owner, repo, baseUrl, headers, request: options } = call;
      await request('PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', {
        baseUrl,
        owner,
        repo,
        comment_id: found.id,
        headers,
        request: options,
        body: req.body,
      });
      return { url: found.html_url, done: 'edited' };
    });
  }

  private async create(call: Call, req: CommentRequest): Promise<string> {
    const { data } = await request('POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
      ...call,
      body: req.body,
    });
    return data.html_url;
  }

  /** `fn` with the calls' common fields and a token of the one repository, revoked after. */
  private async withCall<T>(
    req: CommentRequest,
    signal: AbortSignal | undefined,
    fn: (call: Call) => Promise<T>,
  ): Promise<T> {
    const { owner, repo, number } = req.pullRequest;
    const scope = req.on === 'issue' ? 'issues' : 'pull_requests';
    const minted = await this.opts.tokens.mint(
      { app: req.app, owner, repositories: [repo], permissions: { [scope]: 'write' } },
      signal,
    );
    const call: Call = {
      baseUrl: this.opts.apiUrl(),
      owner,
      repo,
      issue_number: number,
      headers: { authorization: `token ${minted.token}` },
      request: { fetch: timedFetch(this.opts.timeoutMs ?? 10_000, signal) },
    };
    try {
      return await fn(call);
    } catch (err) {
      throw classifyGithubError(
        err,
        `commenting on ${owner}/${repo}#${number}`,
        {
          reason: 'GithubRequestRefused',
          message: `GitHub has no such ${req.on === 'issue' ? 'issue' : 'pull request'}, or the App's installation may not comment on it (${scope}: write)`,
        },
        this.opts.now?.() ?? new Date(),
      );
    } finally {
      // A token of one repository, used once: revoked now rather than left for its hour, with a time
      // of its own (the reconcile's signal is already aborted when shutdown or lost leadership ends it).
      await this.opts.tokens.revoke(minted.token, AbortSignal.timeout(10_000)).catch(() => undefined);
    }
  }

  /** The comment of an App that holds the marker, if there is one. */
  private async find(call: Call, req: CommentRequest): Promise<IssueComment | undefined> {
    for (let page = 1; page <= MAX_PAGES; page++) {
      const { data } = await request('GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        ...call,
        per_page: 100,
        page,
        ...(req.since ? { since: req.since } : {}),
      });
      const comments = data as IssueComment[];
      // Anyone could paste the marker, a person or another App: only the comment of this App's bot
      // (the operator's own, which it alone may edit) counts.
      const ours = comments.find(
        (c) => isBotOf(req.app, c.user) && (c.body ?? '').split('\n', 1)[0] === req.marker,
      );
      if (ours) return ours;
      if (comments.length < 100) return undefined;
    }
    return undefined;
  }
}
