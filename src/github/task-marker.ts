// The task marker of a pull request (seed 002 §8.3, decision 0057): the file
// `.orchestrator/tasks/task-{N}.json` on the task's branch, `{"taskId": N}`, which the implementation
// agent writes as its prompt asks. The operator reads it at the pull request's head commit through the
// contents API with an installation token of the run's App for that one repository, read-only
// (contents and pull requests: read), revoked after; every call has a time limit and the answer a size
// bound. The marker is the agent's data: it is parsed into a task number and compared, nothing else.
// The reading is said in the operator's own words (paths, numbers, a commit id), never the file's text.
import { request } from '@octokit/request';
import { taskMarkerPath } from '../naming/index.js';
import { classifyGithubError, type GithubTokens, TokenFailure, timedFetch } from './app-tokens/index.js';
import type { PullRequestRef } from './pull-request-comments.js';

/** The marker's largest size: `{"taskId": N}` takes 20 bytes. */
export const MAX_MARKER_BYTES = 1024;
/** The largest answer read from GitHub for it (its JSON envelope and the base64 content). */
const MAX_ANSWER_BYTES = 16 * 1024;

export type MarkerVerdict =
  /** The marker names task `taskId`. */
  { kind: 'task'; taskId: number } | { kind: 'missing' } | { kind: 'unreadable'; why: string };

export interface MarkerReading {
  verdict: MarkerVerdict;
  /** The head commit it was read at (absent when GitHub did not say it). */
  commit?: string;
  /** The operator's sentence about it: the path, the commit, the pull request, what was found. */
  detail: string;
}

/** What the play's association needs of GitHub. */
export interface TaskMarkers {
  read(
    req: { app: string; pullRequest: PullRequestRef; taskId: number },
    signal?: AbortSignal,
  ): Promise<MarkerReading>;
}

/** What a marker's text says, as a verdict: a JSON object whose `taskId` is a positive integer. Pure. */
export function markerVerdict(text: string): MarkerVerdict {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', why: 'it is not JSON' };
  }
  const taskId = (parsed as { taskId?: unknown } | null)?.taskId;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    return { kind: 'unreadable', why: 'it is not a JSON object' };
  if (typeof taskId !== 'number' || !Number.isSafeInteger(taskId) || taskId < 1)
    return { kind: 'unreadable', why: 'its taskId is not a positive integer' };
  return { kind: 'task', taskId };
}

/** fetch that fails an answer longer than `max` bytes instead of holding it. */
function capped(inner: typeof fetch, max: number, tooLarge: () => void): typeof fetch {
  return async (input, init) => {
    const res = await inner(input, init);
    if (!res.body) return res;
    let seen = 0;
    const body = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, out) {
          seen += chunk.byteLength;
          if (seen > max) {
            tooLarge();
            out.error(new Error(`the answer is longer than ${max} bytes`));
          } else out.enqueue(chunk);
        },
      }),
    );
    return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

interface ContentAnswer {
  type?: string;
  size?: number;
  encoding?: string;
  content?: string;
}

export interface GithubTaskMarkersOptions {
  tokens: GithubTokens;
  /** The REST API base URL (read at each call: github.host is hot-reloaded). */
  apiUrl: () => string;
  /** Each GitHub call's limit. Default 10 s. */
  timeoutMs?: number;
  now?: () => Date;
}

export class GithubTaskMarkers implements TaskMarkers {
  constructor(private readonly opts: GithubTaskMarkersOptions) {}

  /** The marker of task `taskId` at the head of the pull request; a TokenFailure when GitHub failed. */
  async read(
    { app, pullRequest, taskId }: { app: string; pullRequest: PullRequestRef; taskId: number },
    signal?: AbortSignal,
  ): Promise<MarkerReading> {
    const { owner, repo, number } = pullRequest;
    const path = taskMarkerPath(taskId);
    const where = `${owner}/${repo}#${number}`;
    const minted = await this.opts.tokens.mint(
      { app, owner, repositories: [repo], permissions: { contents: 'read', pull_requests: 'read' } },
      signal,
    );
    const timed = timedFetch(this.opts.timeoutMs ?? 10_000, signal);
    let oversized = false;
    // The pull request's answer is GitHub's own (bounded by it); the file's is the agent's, bounded here.
    const bounded = capped(timed, MAX_ANSWER_BYTES, () => {
      oversized = true;
    });
    const call = {
      baseUrl: this.opts.apiUrl(),
      owner,
      repo,
      headers: { authorization: `token ${minted.token}` },
    };
    let step = `reading pull request ${where}`;
    try {
      const { data: pr } = await request('GET /repos/{owner}/{repo}/pulls/{pull_number}', {
        ...call,
        pull_number: number,
        request: { fetch: timed },
      });
      const commit = /^[0-9a-f]{40,64}$/.test(pr.head.sha) ? pr.head.sha : undefined;
      if (!commit) throw new TokenFailure('GithubRequestRefused', `${step}: GitHub named no head commit`);
      const at = `${path} at ${commit.slice(0, 12)} of ${where}`;
      step = `reading ${at}`;
      let file: ContentAnswer;
      try {
        const answer = await request('GET /repos/{owner}/{repo}/contents/{path}', {
          ...call,
          path,
          ref: commit,
          request: { fetch: bounded },
        });
        file = answer.data as ContentAnswer;
      } catch (err) {
        if (oversized) return unreadable(commit, at, `it is larger than ${MAX_MARKER_BYTES} bytes`);
        if ((err as { status?: number }).status === 404)
          return { verdict: { kind: 'missing' }, commit, detail: `${at} is missing` };
        throw err;
      }
      // @octokit/request makes an answer it could not read in full its text (''): cut off here.
      if (oversized) return unreadable(commit, at, `it is larger than ${MAX_MARKER_BYTES} bytes`);
      if (file.type !== 'file') return unreadable(commit, at, 'it is not a file');
      if (!(Number(file.size) <= MAX_MARKER_BYTES) || file.encoding !== 'base64')
        return unreadable(commit, at, `it is larger than ${MAX_MARKER_BYTES} bytes`);
      const verdict = markerVerdict(Buffer.from(file.content ?? '', 'base64').toString('utf8'));
      return {
        verdict,
        commit,
        detail:
          verdict.kind === 'task'
            ? `${at} names task ${verdict.taskId}`
            : `${at} is unreadable: ${verdict.kind === 'unreadable' ? verdict.why : ''}`,
      };
    } catch (err) {
      throw classifyGithubError(
        err,
        step,
        {
          reason: 'GithubRequestRefused',
          message: `GitHub has no such pull request, or the App's installation may not read it (contents and pull_requests: read)`,
        },
        this.opts.now?.() ?? new Date(),
      );
    } finally {
      await this.opts.tokens.revoke(minted.token, AbortSignal.timeout(10_000)).catch(() => undefined);
    }
  }
}

const unreadable = (commit: string, at: string, why: string): MarkerReading => ({
  verdict: { kind: 'unreadable', why },
  commit,
  detail: `${at} is unreadable: ${why}`,
});
