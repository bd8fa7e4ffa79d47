// Safe outputs through the entry script (templates/agent-shell/entry-outputs*.test.ts): the GitHub
// stand-in holding the run's pull request with a write token of the rex App, and rex's outputs policy
// set as a test needs.
import type { Test } from 'tap';
import type { ControllerConfig } from '../../../src/api/index.js';
import { configFrom } from '../../../src/config/load.js';
import { githubAppFixture } from '../remote/github-api/apps.js';
import { type CheckRunRecord, checkRunRoutes } from '../remote/github-api/check-runs.js';
import { type IssueCommentRecord, issueCommentRoutes } from '../remote/github-api/issue-comments.js';
import { labelRoutes } from '../remote/github-api/labels.js';
import type { PullRequestRecord } from '../remote/github-api/pulls.js';
import { type ReviewRecord, reviewRoutes } from '../remote/github-api/reviews.js';
import { startGithubApi } from '../remote/github-api/server.js';
import { PR, PUBLISH_CONFIG } from './publish-fixture.js';

export type Outputs = NonNullable<ControllerConfig['agents'][string]['outputs']>;

/** The shipped config with rex's outputs policy `outputs` (none: undefined). */
export function withOutputs(outputs: Outputs | undefined): ControllerConfig {
  const { outputs: _shipped, ...rex } = PUBLISH_CONFIG.agents.rex as ControllerConfig['agents'][string];
  const agents = { ...PUBLISH_CONFIG.agents, rex: outputs ? { ...rex, outputs } : rex };
  return configFrom({ ...PUBLISH_CONFIG, agents });
}

/** The GitHub stand-in holding PR (acme/payments#7) and a write token of the rex App for it. */
export async function outputsGithub(t: Test) {
  const app = githubAppFixture();
  const token = 'ghs_outputsTokenOfTheRexApp0123456789';
  app.tokens.push({
    token,
    app: app.slug,
    installationId: 21,
    repositories: ['payments'],
    permissions: { pull_requests: 'write', issues: 'write', checks: 'write' },
    expiresAt: new Date(Date.now() + 3_600_000),
    revoked: false,
  });
  const pulls: PullRequestRecord[] = [
    {
      number: 7,
      owner: 'acme',
      repo: 'payments',
      head: 'feature/task-7-implementation',
      base: 'main',
      title: 'T',
      body: null,
      state: 'open',
    },
  ];
  const comments: IssueCommentRecord[] = [];
  const reviews: ReviewRecord[] = [];
  const labels = new Map<number, string[]>();
  const checkRuns: CheckRunRecord[] = [];
  const api = await startGithubApi(t, [
    ...issueCommentRoutes(comments, pulls, app),
    ...reviewRoutes(reviews, pulls, app),
    ...labelRoutes(labels, pulls, app),
    ...checkRunRoutes(checkRuns, app),
  ]);
  const env = { STUB_PR_URL: PR, STUB_GH_API: api.url, GH_TOKEN: token };
  return { api, env, token, comments, reviews, labels, checkRuns };
}

/** The agent's shell commands: each orchestrator-output call, its status kept in the run's log. */
export const asks = (...calls: string[]) => calls.map((c) => `orchestrator-output ${c} || true`).join('; ');

export const outputsOf = (result: string) =>
  (JSON.parse(result) as { outputs?: { kind: string; outcome: string; reason?: string }[] }).outputs;

export const EVERYTHING: Outputs = {
  comment: { max: 1 },
  review: { events: ['APPROVE', 'REQUEST_CHANGES'], maxInlineComments: 2 },
  labels: { allowed: ['ready-for-qa'], max: 1 },
  checkRun: { max: 1 },
  maxBodyBytes: 512,
  allowMentions: false,
  linkHosts: ['github.com'],
};
