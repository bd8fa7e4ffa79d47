// The endpoints of the GitHub REST stand-in (server.ts) that the operator reads a task's marker with
// (src/github/task-marker.ts): one pull request (its head commit), and a repository's file at a
// commit through the contents API (`ref`). As GitHub does, each takes an installation token of one of
// the Apps that reaches the repository and grants `pull_requests: read` (the pull request) or
// `contents: read` (the file); a path with no file at that commit is 404, a directory is the list of
// its entries, a file comes base64-encoded with its size. Answers carry every field GitHub's
// description requires (`pull-request`, `content-file`, `content-directory`).
import type { GithubAppFixture } from './apps.js';
import { installationTokens } from './installation-token.js';
import { type PullRequestRecord, pullRequestFull } from './pulls.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';

/** A file of a repository at one commit. */
export interface RepositoryFile {
  owner: string;
  repo: string;
  commit: string;
  path: string;
  content: string;
}

const API = 'https://api.github.com';
const WEB = 'https://github.com';
const DOCS = 'https://docs.github.com/rest/repos/contents';
const notFound: GithubAnswer = { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };

/** The content-file (with its content) or, without, the directory entry of `path`. */
function entry(
  f: { owner: string; repo: string; commit: string; path: string },
  type: 'file' | 'dir',
  content?: string,
) {
  const repo = `${f.owner}/${f.repo}`;
  const url = `${API}/repos/${repo}/contents/${f.path}?ref=${f.commit}`;
  const sha = `${f.path.length.toString(16).padStart(8, '0')}${'b'.repeat(32)}`;
  const git = `${API}/repos/${repo}/git/${type === 'file' ? 'blobs' : 'trees'}/${sha}`;
  const html = `${WEB}/${repo}/${type === 'file' ? 'blob' : 'tree'}/${f.commit}/${f.path}`;
  const size = content === undefined ? 0 : Buffer.byteLength(content);
  return {
    type,
    size,
    name: f.path.split('/').pop() ?? f.path,
    path: f.path,
    sha,
    url,
    git_url: git,
    html_url: html,
    download_url: type === 'file' ? `https://raw.githubusercontent.com/${repo}/${f.commit}/${f.path}` : null,
    _links: { self: url, git, html },
    ...(content === undefined
      ? {}
      : { content: Buffer.from(content).toString('base64'), encoding: 'base64' }),
  };
}

/** The pull request and contents routes over `pulls` and `files` (shared with the test), for tokens of `apps`. */
export function contentRoutes(
  pulls: PullRequestRecord[],
  files: RepositoryFile[],
  apps: GithubAppFixture | GithubAppFixture[],
): GithubRoute[] {
  const tokens = installationTokens(apps, DOCS);
  const pull = (req: GithubRequest): GithubAnswer => {
    const { owner, repo, pull_number } = req.params;
    const allowed = tokens(req.headers, repo ?? '', ['pull_requests'], 'read');
    if ('refused' in allowed) return allowed.refused;
    const pr = pulls.find((p) => p.owner === owner && p.repo === repo && String(p.number) === pull_number);
    return pr ? { status: 200, body: pullRequestFull(pr) } : notFound;
  };
  const content = (req: GithubRequest): GithubAnswer => {
    const { owner = '', repo = '', path = '' } = req.params;
    const allowed = tokens(req.headers, repo, ['contents'], 'read');
    if ('refused' in allowed) return allowed.refused;
    const commit = req.query.get('ref') ?? '';
    const at = files.filter((f) => f.owner === owner && f.repo === repo && f.commit === commit);
    const file = at.find((f) => f.path === path);
    if (file) return { status: 200, body: entry(file, 'file', file.content) };
    const inside = at.filter((f) => f.path.startsWith(`${path}/`));
    if (!inside.length) return notFound;
    const names = [...new Set(inside.map((f) => f.path.slice(path.length + 1).split('/')[0] ?? ''))];
    return {
      status: 200,
      body: names.map((name) => {
        const child = `${path}/${name}`;
        const leaf = at.find((f) => f.path === child);
        return leaf
          ? { ...entry(leaf, 'file'), size: Buffer.byteLength(leaf.content) }
          : entry({ owner, repo, commit, path: child }, 'dir');
      }),
    };
  };
  return [
    { method: 'GET', path: '/repos/{owner}/{repo}/pulls/{pull_number}', handle: pull },
    { method: 'GET', path: '/repos/{owner}/{repo}/contents/{path}', handle: content },
  ];
}
