// The issue comment endpoints of the GitHub REST stand-in (server.ts), on pull requests (GitHub's pull
// requests are issues) and on the issues a test names: list a pull request's comments (`since`, `per_page`, `page`), create one, and
// edit one (only its author may: the App's bot).
// As GitHub does, each asks for an installation token of one of the Apps (apps.ts) that reaches the
// repository and grants `pull_requests` (write to create, read or write to list) or `issues`, and is
// neither revoked nor expired; a comment so made is the bot of the App that issued the token
// (`{slug}[bot]`), and only that bot may edit it. Answers carry every field GitHub's description
// requires of `issue-comment`, so the server's contract check passes.
import { type GithubAppFixture, githubAppFixture } from './apps.js';
import { contentRoutes, type RepositoryFile } from './contents.js';
import { botOf, installationTokens } from './installation-token.js';
import type { PullRequestRecord } from './pulls.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';
import { startGithubApi } from './server.js';
import { simpleUser } from './users.js';

export interface IssueCommentRecord {
  id: number;
  owner: string;
  repo: string;
  number: number;
  body: string;
  /** Who wrote it: the App's bot, or a person the test names. */
  author: { login: string; type: 'Bot' | 'User' };
  createdAt: string;
  /** When it was last edited, if it was. */
  updatedAt?: string;
}

const WEB = 'https://github.com';
const API = 'https://api.github.com';
const DOCS = 'https://docs.github.com/rest/issues/comments';
const error = (status: number, message: string): GithubAnswer => ({
  status,
  body: { message, documentation_url: DOCS },
});

/** The `issue-comment` view of a record. */
export function issueComment(c: IssueCommentRecord) {
  const repo = `${c.owner}/${c.repo}`;
  return {
    id: c.id,
    node_id: `IC_${c.id}`,
    url: `${API}/repos/${repo}/issues/comments/${c.id}`,
    html_url: `${WEB}/${repo}/pull/${c.number}#issuecomment-${c.id}`,
    issue_url: `${API}/repos/${repo}/issues/${c.number}`,
    body: c.body,
    user: simpleUser(c.author.login, c.author.type),
    created_at: c.createdAt,
    updated_at: c.updatedAt ?? c.createdAt,
    author_association: c.author.type === 'Bot' ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
  };
}

/**
 * The two routes over one list of comments (`comments`, shared with the test), on the pull requests
 * in `pulls`, for tokens one of `apps` issued.
 */
export function issueCommentRoutes(
  comments: IssueCommentRecord[],
  pulls: PullRequestRecord[],
  apps: GithubAppFixture | GithubAppFixture[],
  now: () => Date = () => new Date(),
  /** Open issues (not pull requests) whose comments are served too; GitHub asks `issues` of those. */
  issues: { owner: string; repo: string; number: number }[] = [],
): GithubRoute[] {
  const tokens = installationTokens(apps, DOCS, now);
  /** The request's token when it may `need` the number's comments, else GitHub's refusal. */
  const authorised = (req: GithubRequest, need: 'read' | 'write') =>
    tokens(req.headers, req.params.repo ?? '', isIssue(req) ? ['issues'] : ['pull_requests', 'issues'], need);
  const isIssue = ({ params }: GithubRequest) =>
    issues.some(
      (i) => i.owner === params.owner && i.repo === params.repo && String(i.number) === params.issue_number,
    );
  const stamp = () =>
    now()
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z');
  const pullOf = ({ params }: GithubRequest) =>
    [...pulls, ...issues].find(
      (pr) =>
        pr.owner === params.owner && pr.repo === params.repo && String(pr.number) === params.issue_number,
    );
  const list = (req: GithubRequest): GithubAnswer => {
    const denied = authorised(req, 'read');
    if ('refused' in denied) return denied.refused;
    const pr = pullOf(req);
    if (!pr) return error(404, 'Not Found');
    const since = req.query.get('since');
    const perPage = Math.min(100, Number(req.query.get('per_page') ?? 30));
    const page = Number(req.query.get('page') ?? 1);
    const found = comments
      .filter((c) => c.owner === pr.owner && c.repo === pr.repo && c.number === pr.number)
      .filter((c) => since === null || c.createdAt >= since);
    return { status: 200, body: found.slice((page - 1) * perPage, page * perPage).map(issueComment) };
  };
  const create = (req: GithubRequest): GithubAnswer => {
    const allowed = authorised(req, 'write');
    if ('refused' in allowed) return allowed.refused;
    const pr = pullOf(req);
    if (!pr) return error(404, 'Not Found');
    const { body } = req.body as { body: string };
    // GitHub's own limit on a comment's body.
    if (body.length > 65_536) return error(422, 'Body is too long (maximum is 65536 characters)');
    const record: IssueCommentRecord = {
      id: 9000 + comments.length,
      owner: pr.owner,
      repo: pr.repo,
      number: pr.number,
      body,
      author: { login: botOf(allowed.token), type: 'Bot' },
      createdAt: stamp(),
    };
    comments.push(record);
    return { status: 201, body: issueComment(record), headers: { location: issueComment(record).url } };
  };
  const edit = (req: GithubRequest): GithubAnswer => {
    const allowed = tokens(req.headers, req.params.repo ?? '', ['pull_requests', 'issues'], 'write');
    if ('refused' in allowed) return allowed.refused;
    const record = comments.find(
      (c) =>
        c.owner === req.params.owner && c.repo === req.params.repo && String(c.id) === req.params.comment_id,
    );
    if (!record) return error(404, 'Not Found');
    // An installation edits its own bot's comments only.
    if (record.author.login !== botOf(allowed.token))
      return error(403, 'Resource not accessible by integration');
    const { body } = req.body as { body: string };
    if (body.length > 65_536) return error(422, 'Body is too long (maximum is 65536 characters)');
    record.body = body;
    record.updatedAt = stamp();
    return { status: 200, body: issueComment(record) };
  };
  const path = '/repos/{owner}/{repo}/issues/{issue_number}/comments';
  return [
    { method: 'GET', path, handle: list },
    { method: 'POST', path, handle: create },
    { method: 'PATCH', path: '/repos/{owner}/{repo}/issues/comments/{comment_id}', handle: edit },
  ];
}

/**
 * The stand-in with an App (`slug`, default 5dlabs-rex: the seed's implementation App) installed on
 * acme's `repositories`, whose pull request acme/payments#`number` (default 12) is open, serving the
 * App's routes, its comments, the pull requests (`pulls`: more of them) and the repository's `files`
 * at their commits (contents.ts). `others`: more Apps whose tokens a test issues itself (their routes
 * are not served), to comment as them.
 */
export async function startPullRequestThread(
  t: Parameters<typeof startGithubApi>[0],
  repositories: string[] = ['payments'],
  number = 12,
  {
    slug,
    others = [],
    pulls: more = [],
    files = [],
  }: {
    slug?: string;
    others?: GithubAppFixture[];
    pulls?: PullRequestRecord[];
    files?: RepositoryFile[];
  } = {},
) {
  const app = githubAppFixture(slug ? { slug } : {});
  app.installations.set('acme', { id: 21, repositories });
  const pulls: PullRequestRecord[] = [
    {
      number,
      owner: 'acme',
      repo: 'payments',
      head: 'task-7',
      base: 'main',
      title: 'T',
      body: null,
      state: 'open',
    },
    ...more,
  ];
  const comments: IssueCommentRecord[] = [];
  const apps = [app, ...others];
  const api = await startGithubApi(t, [
    ...app.routes,
    ...issueCommentRoutes(comments, pulls, apps),
    ...contentRoutes(pulls, files, apps),
  ]);
  return { app, api, comments, pulls, files };
}
