// The pull request review endpoint of the GitHub REST stand-in (server.ts): submit a review (an event,
// a body, inline comments on a file's line), as the publisher performs an agent's declared review
// (templates/agent-shell/outputs.mjs). As GitHub does, it asks for an installation token of one of the
// Apps granting pull_requests write, refuses a body missing where the event needs one (422), and the
// review is the bot's of the App that issued the token. Answers carry every field GitHub's description
// requires of `pull-request-review`, so the server's contract check passes.
import type { GithubAppFixture } from './apps.js';
import { botOf, installationTokens } from './installation-token.js';
import type { PullRequestRecord } from './pulls.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';
import { simpleUser } from './users.js';

export interface ReviewRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  event: 'APPROVE' | 'REQUEST_CHANGES' | 'COMMENT';
  body: string;
  commitId: string;
  comments: { path: string; line?: number; side?: string; body: string }[];
  author: string;
}

const DOCS = 'https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request';
const STATE = { APPROVE: 'APPROVED', REQUEST_CHANGES: 'CHANGES_REQUESTED', COMMENT: 'COMMENTED' } as const;

function reviewView(r: ReviewRecord) {
  const pull = `https://api.github.com/repos/${r.owner}/${r.repo}/pulls/${r.number}`;
  const html = `https://github.com/${r.owner}/${r.repo}/pull/${r.number}#pullrequestreview-${r.id}`;
  return {
    id: r.id,
    node_id: `PRR_${r.id}`,
    user: simpleUser(r.author, 'Bot'),
    body: r.body,
    state: STATE[r.event],
    html_url: html,
    pull_request_url: pull,
    _links: { html: { href: html }, pull_request: { href: pull } },
    submitted_at: '2026-01-01T00:00:00Z',
    commit_id: r.commitId,
    author_association: 'NONE',
  };
}

/** The route over one list of reviews (`reviews`, shared with the test), on the pull requests in `pulls`. */
export function reviewRoutes(
  reviews: ReviewRecord[],
  pulls: PullRequestRecord[],
  apps: GithubAppFixture | GithubAppFixture[],
): GithubRoute[] {
  const tokens = installationTokens(apps, DOCS);
  const create = (req: GithubRequest): GithubAnswer => {
    const allowed = tokens(req.headers, req.params.repo ?? '', ['pull_requests'], 'write');
    if ('refused' in allowed) return allowed.refused;
    const pr = pulls.find(
      (p) =>
        p.owner === req.params.owner &&
        p.repo === req.params.repo &&
        String(p.number) === req.params.pull_number,
    );
    if (!pr) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
    const body = req.body as Partial<ReviewRecord> & { commit_id?: string };
    if (body.event !== 'APPROVE' && !body.body)
      return {
        status: 422,
        body: { message: 'Unprocessable Entity', errors: ['Body is required'], documentation_url: DOCS },
      };
    const record: ReviewRecord = {
      id: 7000 + reviews.length,
      owner: pr.owner,
      repo: pr.repo,
      number: pr.number,
      event: body.event ?? 'COMMENT',
      body: body.body ?? '',
      commitId: body.commit_id ?? pr.headSha ?? '0'.repeat(40),
      comments: body.comments ?? [],
      author: botOf(allowed.token),
    };
    reviews.push(record);
    return { status: 200, body: reviewView(record) };
  };
  return [{ method: 'POST', path: '/repos/{owner}/{repo}/pulls/{pull_number}/reviews', handle: create }];
}
