// The create-check-run endpoint of the GitHub REST stand-in (server.ts), as the publisher performs an
// agent's declared check run (templates/agent-shell/outputs.mjs): an installation token granting
// checks write (GitHub lets only Apps create check runs). Answers carry every field GitHub's
// description requires of `check-run`.
import type { GithubAppFixture } from './apps.js';
import { installationTokens } from './installation-token.js';
import type { GithubAnswer, GithubRequest, GithubRoute } from './route.js';

export interface CheckRunRecord {
  id: number;
  owner: string;
  repo: string;
  name: string;
  headSha: string;
  conclusion: string;
  title: string;
  summary: string;
}

const DOCS = 'https://docs.github.com/rest/checks/runs#create-a-check-run';
const TIME = '2026-01-01T00:00:00Z';

function checkRunView(c: CheckRunRecord) {
  const url = `https://api.github.com/repos/${c.owner}/${c.repo}/check-runs/${c.id}`;
  return {
    id: c.id,
    head_sha: c.headSha,
    node_id: `CR_${c.id}`,
    external_id: null,
    url,
    html_url: `https://github.com/${c.owner}/${c.repo}/runs/${c.id}`,
    details_url: null,
    status: 'completed',
    conclusion: c.conclusion,
    started_at: TIME,
    completed_at: TIME,
    output: {
      title: c.title,
      summary: c.summary,
      text: null,
      annotations_count: 0,
      annotations_url: `${url}/annotations`,
    },
    name: c.name,
    check_suite: { id: 1 },
    app: null,
    pull_requests: [],
  };
}

/** The route over one list of check runs (`runs`, shared with the test). */
export function checkRunRoutes(
  runs: CheckRunRecord[],
  apps: GithubAppFixture | GithubAppFixture[],
): GithubRoute[] {
  const tokens = installationTokens(apps, DOCS);
  const create = (req: GithubRequest): GithubAnswer => {
    const allowed = tokens(req.headers, req.params.repo ?? '', ['checks'], 'write');
    if ('refused' in allowed) return allowed.refused;
    const b = req.body as {
      name: string;
      head_sha: string;
      conclusion?: string;
      output?: { title?: string; summary?: string };
    };
    const record: CheckRunRecord = {
      id: 8000 + runs.length,
      owner: req.params.owner ?? '',
      repo: req.params.repo ?? '',
      name: b.name,
      headSha: b.head_sha,
      conclusion: b.conclusion ?? 'neutral',
      title: b.output?.title ?? '',
      summary: b.output?.summary ?? '',
    };
    runs.push(record);
    return { status: 201, body: checkRunView(record) };
  };
  return [{ method: 'POST', path: '/repos/{owner}/{repo}/check-runs', handle: create }];
}
