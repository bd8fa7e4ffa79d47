// The pull request endpoints of the GitHub REST stand-in (server.ts) that the publisher uses
// (templates/agent-shell/publish.sh): list a repository's pull requests by head and
// state, and create one. Answers carry every field GitHub's description requires of
// `pull-request-simple` (list) and `pull-request` (create), so the server's contract check passes.
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';
import { simpleUser } from './users.js';

export interface PullRequestRecord {
  number: number;
  owner: string;
  repo: string;
  /** The head branch, in the head repository (here always owner/repo). */
  head: string;
  /** The head branch's commit (default forty zeros). */
  headSha?: string;
  base: string;
  title: string;
  body: string | null;
  state: 'open' | 'closed';
  /** The web address of its host (a GitHub Enterprise one): default https://github.com. */
  web?: string;
}

const WEB = 'https://github.com';
const API = 'https://api.github.com';

let ids = 1000;
const TIME = '2025-01-01T00:00:00Z';
const SHA = '0'.repeat(40);

// The `*_url` fields of a repository, each a path under the repository's API URL.
const REPO_URLS = {
  archive_url: '/{archive_format}{/ref}',
  assignees_url: '/assignees{/user}',
  blobs_url: '/git/blobs{/sha}',
  branches_url: '/branches{/branch}',
  collaborators_url: '/collaborators{/collaborator}',
  comments_url: '/comments{/number}',
  commits_url: '/commits{/sha}',
  compare_url: '/compare/{base}...{head}',
  contents_url: '/contents/{+path}',
  contributors_url: '/contributors',
  deployments_url: '/deployments',
  downloads_url: '/downloads',
  events_url: '/events',
  forks_url: '/forks',
  git_commits_url: '/git/commits{/sha}',
  git_refs_url: '/git/refs{/sha}',
  git_tags_url: '/git/tags{/sha}',
  hooks_url: '/hooks',
  issue_comment_url: '/issues/comments{/number}',
  issue_events_url: '/issues/events{/number}',
  issues_url: '/issues{/number}',
  keys_url: '/keys{/key_id}',
  labels_url: '/labels{/name}',
  languages_url: '/languages',
  merges_url: '/merges',
  milestones_url: '/milestones{/number}',
  notifications_url: '/notifications{?since,all,participating}',
  pulls_url: '/pulls{/number}',
  releases_url: '/releases{/id}',
  stargazers_url: '/stargazers',
  statuses_url: '/statuses/{sha}',
  subscribers_url: '/subscribers',
  subscription_url: '/subscription',
  tags_url: '/tags',
  teams_url: '/teams',
  trees_url: '/git/trees{/sha}',
};

function repository(owner: string, name: string) {
  const url = `${API}/repos/${owner}/${name}`;
  return {
    id: ids++,
    node_id: `R_${owner}_${name}`,
    name,
    full_name: `${owner}/${name}`,
    owner: simpleUser(owner, 'Organization'),
    private: false,
    html_url: `${WEB}/${owner}/${name}`,
    description: null,
    fork: false,
    url,
    ...Object.fromEntries(Object.entries(REPO_URLS).map(([key, path]) => [key, `${url}${path}`])),
    clone_url: `${WEB}/${owner}/${name}.git`,
    git_url: `git://github.com/${owner}/${name}.git`,
    ssh_url: `git@github.com:${owner}/${name}.git`,
    svn_url: `${WEB}/${owner}/${name}`,
    mirror_url: null,
    homepage: null,
    language: null,
    license: null,
    default_branch: 'main',
    forks: 0,
    forks_count: 0,
    open_issues: 0,
    open_issues_count: 0,
    stargazers_count: 0,
    watchers: 0,
    watchers_count: 0,
    size: 1,
    has_downloads: true,
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    archived: false,
    disabled: false,
    pushed_at: TIME,
    created_at: TIME,
    updated_at: TIME,
  };
}

/** The `pull-request-simple` view of a record (what listing answers). */
export function pullRequestSimple(pr: PullRequestRecord) {
  const url = `${API}/repos/${pr.owner}/${pr.repo}/pulls/${pr.number}`;
  const html = `${pr.web ?? WEB}/${pr.owner}/${pr.repo}/pull/${pr.number}`;
  const issue = `${API}/repos/${pr.owner}/${pr.repo}/issues/${pr.number}`;
  const branch = (ref: string, sha = SHA) => ({
    label: `${pr.owner}:${ref}`,
    ref,
    sha,
    user: simpleUser(pr.owner, 'Organization'),
    repo: repository(pr.owner, pr.repo),
  });
  return {
    url,
    id: pr.number + 5000,
    node_id: `PR_${pr.owner}_${pr.repo}_${pr.number}`,
    html_url: html,
    diff_url: `${html}.diff`,
    patch_url: `${html}.patch`,
    issue_url: issue,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${API}/repos/${pr.owner}/${pr.repo}/pulls/comments{/number}`,
    comments_url: `${issue}/comments`,
    statuses_url: `${API}/repos/${pr.owner}/${pr.repo}/statuses/${SHA}`,
    number: pr.number,
    state: pr.state,
    locked: false,
    title: pr.title,
    user: simpleUser(pr.owner, 'Organization'),
    body: pr.body,
    labels: [],
    milestone: null,
    created_at: TIME,
    updated_at: TIME,
    closed_at: null,
    merged_at: null,
    merge_commit_sha: null,
    assignee: null,
    head: branch(pr.head, pr.headSha),
    base: branch(pr.base),
    _links: {
      self: { href: url },
      html: { href: html },
      issue: { href: issue },
      comments: { href: `${issue}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${API}/repos/${pr.owner}/${pr.repo}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${API}/repos/${pr.owner}/${pr.repo}/statuses/${SHA}` },
    },
    author_association: 'NONE',
    auto_merge: null,
  };
}

/** The full `pull-request` view of a record (what creating answers). */
export function pullRequestFull(pr: PullRequestRecord) {
  return {
    ...pullRequestSimple(pr),
    merged: false,
    mergeable: null,
    mergeable_state: 'unknown',
    merged_by: null,
    maintainer_can_modify: false,
    comments: 0,
    review_comments: 0,
    commits: 1,
    additions: 1,
    deletions: 0,
    changed_files: 1,
  };
}

const validation = (message: string): GithubAnswer => ({
  status: 422,
  body: {
    message: 'Validation Failed',
    errors: [{ resource: 'PullRequest', code: 'custom', message }],
    documentation_url: 'https://docs.github.com/rest/pulls/pulls#create-a-pull-request',
  },
});

/**
 * The two routes over one list of pull requests (`pulls`, shared with the test). `branches` says
 * which head branches exist on the remote (GitHub refuses a pull request of a branch it lacks).
 */
export function pullRoutes(
  pulls: PullRequestRecord[],
  branches: (owner: string, repo: string) => string[],
  options: {
    /** The host's web address, for the pull requests opened (GitHub Enterprise's own), once known. */
    web?: () => string | undefined;
    /** GitHub's refusal of a request whose token may not `need` the repository's pull requests, else undefined. */
    refused?: (req: GithubRequest, need: 'read' | 'write') => GithubAnswer | undefined;
  } = {},
): GithubRoute[] {
  const list = (req: GithubRequest): GithubAnswer => options.refused?.(req, 'read') ?? listed(req);
  const listed = ({ params, query }: GithubRequest): GithubAnswer => {
    const head = query.get('head');
    const state = query.get('state') ?? 'open';
    const found = pulls.filter(
      (pr) =>
        pr.owner === params.owner &&
        pr.repo === params.repo &&
        (state === 'all' || pr.state === state) &&
        (head === null || `${pr.owner}:${pr.head}` === head),
    );
    return { status: 200, body: found.map(pullRequestSimple) };
  };
  const create = (req: GithubRequest): GithubAnswer => options.refused?.(req, 'write') ?? created(req);
  const created = ({ params, body }: GithubRequest): GithubAnswer => {
    const { title, head, base, body: text } = body as Record<string, string | undefined>;
    const owner = params.owner ?? '';
    const repo = params.repo ?? '';
    if (!head || !base) return validation('head and base are required');
    if (!branches(owner, repo).includes(head)) return validation(`head ${head} does not exist`);
    if (pulls.some((pr) => pr.owner === owner && pr.repo === repo && pr.head === head && pr.state === 'open'))
      return validation(`A pull request already exists for ${owner}:${head}.`);
    const pr: PullRequestRecord = {
      // GitHub numbers a repository's pull requests (and issues) from 1, each repository its own.
      number: pulls.filter((p) => p.owner === owner && p.repo === repo).length + 1,
      owner,
      repo,
      head,
      base,
      title: title ?? '',
      body: text ?? null,
      state: 'open',
      ...(options.web?.() ? { web: options.web() } : {}),
    };
    pulls.push(pr);
    return { status: 201, body: pullRequestFull(pr), headers: { location: pullRequestFull(pr).url } };
  };
  return [
    { method: 'GET', path: '/repos/{owner}/{repo}/pulls', handle: list },
    { method: 'POST', path: '/repos/{owner}/{repo}/pulls', handle: create },
  ];
}
