// The add-labels endpoint of the GitHub REST stand-in (server.ts) on pull requests (GitHub's pull
// requests are issues), as the publisher performs an agent's declared labels
// (templates/agent-shell/outputs.mjs): an installation token granting issues or pull_requests write;
// the labels added to the pull request's record (a label the repository lacks is created, as GitHub
// does). Answers carry every field GitHub's description requires of `label`.
import type { GithubAppFixture } from './apps.js';
import { installationTokens } from './installation-token.js';
import type { PullRequestRecord } from './pulls.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';

const DOCS = 'https://docs.github.com/rest/issues/labels#add-labels-to-an-issue';

const labelView = (owner: string, repo: string, name: string) => ({
  id: 300 + name.length,
  node_id: `LA_${name}`,
  url: `https://api.github.com/repos/${owner}/${repo}/labels/${encodeURIComponent(name)}`,
  name,
  description: null,
  color: 'ededed',
  default: false,
});

/** The route adding labels to the pull requests in `pulls`; `labels` holds each one's, by number. */
export function labelRoutes(
  labels: Map<number, string[]>,
  pulls: PullRequestRecord[],
  apps: GithubAppFixture | GithubAppFixture[],
): GithubRoute[] {
  const tokens = installationTokens(apps, DOCS);
  const add = (req: GithubRequest): GithubAnswer => {
    const allowed = tokens(req.headers, req.params.repo ?? '', ['issues', 'pull_requests'], 'write');
    if ('refused' in allowed) return allowed.refused;
    const pr = pulls.find(
      (p) =>
        p.owner === req.params.owner &&
        p.repo === req.params.repo &&
        String(p.number) === req.params.issue_number,
    );
    if (!pr) return { status: 404, body: { message: 'Not Found', documentation_url: DOCS } };
    const asked = ((req.body as { labels: (string | { name: string })[] }).labels ?? []).map((l) =>
      typeof l === 'string' ? l : l.name,
    );
    const now = [...new Set([...(labels.get(pr.number) ?? []), ...asked])];
    labels.set(pr.number, now);
    return { status: 200, body: now.map((name) => labelView(pr.owner, pr.repo, name)) };
  };
  return [{ method: 'POST', path: '/repos/{owner}/{repo}/issues/{issue_number}/labels', handle: add }];
}
