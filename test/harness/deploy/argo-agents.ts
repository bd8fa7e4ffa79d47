// The agents for real in the Argo suites (test/integration/argo-events/agents.ts): a namespace routed
// through the webhooks whose runs are the agent image's, on the real node, as in the end-to-end suite
// (test/harness/agent/): the real entry script and Claude Code CLI against the scripted model stand-in
// through the model gateway, the publisher pushing to the git host and acting on GitHub (the REST
// stand-in on the git host's /api/v3) with the installation tokens of the seed's App, which the
// gateway's phase token broker mints. The stand-in sends the EventSource what GitHub would send for what
// the publishers did (github-api/deliveries.ts): a pull request opened, labelled, reviewed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { TokenBroker } from '../../../src/github/app-tokens/index.js';
import { GithubPullRequestComments, GithubTaskMarkers } from '../../../src/github/index.js';
import { taskMarkerPath } from '../../../src/naming/index.js';
import type { KubeClient } from '../../../src/runtime/index.js';
import { type GitHost, gitHost, NODE_GATEWAY, type SuiteTls } from '../agent/agent-e2e.js';
import { worldGateway } from '../agent/agent-world.js';
import { testNamespace } from '../cluster/cluster.js';
import { APP_KEY_SECRETS, startOperator, testConfig } from '../operator/operator.js';
import { startTestWebhooks } from '../operator/webhook.js';
import { githubAppFixture } from '../remote/github-api/apps.js';
import { type CheckRunRecord, checkRunRoutes } from '../remote/github-api/check-runs.js';
import type { RepositoryFile } from '../remote/github-api/contents.js';
import { contentRoutes } from '../remote/github-api/contents.js';
import { deliveringRoutes } from '../remote/github-api/deliveries.js';
import { installationTokens } from '../remote/github-api/installation-token.js';
import { type IssueCommentRecord, issueCommentRoutes } from '../remote/github-api/issue-comments.js';
import { labelRoutes } from '../remote/github-api/labels.js';
import { type PullRequestRecord, pullRoutes } from '../remote/github-api/pulls.js';
import { type ReviewRecord, reviewRoutes } from '../remote/github-api/reviews.js';
import type { GithubRequest, GithubRoute } from '../remote/github-api/route.js';
import type { PullRequestDelivery } from '../remote/github-pull-request.js';
import type { Turn } from '../remote/model-script.js';
import { ModelStandin } from '../remote/model-standin.js';
import { grantWorkflowRepositories } from './argo-operator.js';

/** What the agents may hold on the one node beside Argo's pods: the CLI needs more than a busybox. */
const AGENT_RESOURCES = { requests: { cpu: '50m', memory: '256Mi' }, limits: { cpu: '1', memory: '2Gi' } };

export interface AgentPlayOptions {
  /** The agent image (suiteImages' trusting one) and the TLS of its git host. */
  image: string;
  tls: SuiteTls;
  /** The model's turns, in the order the agents call it. */
  script: Turn[];
  /** The files of acme/payments's `main`. */
  files: Record<string, string>;
  /** Where a delivery goes (the EventSource, once it exists): its answer's status. */
  send: (d: PullRequestDelivery) => Promise<number>;
}

/**
 * The seed's config (testConfig) as the play's namespace runs it for real: every profile on `image`,
 * small, the git host as github.host, no retries, the Apps' tokens minted (their key Secrets named), no
 * egress proxy (the git host is a stand-in on the node's address, which no proxy of the suite names).
 */
function agentPlayConfig(image: string, githubHost: string): ControllerConfig {
  return testConfig((c) => {
    c.secrets.githubAppId = { ...APP_KEY_SECRETS.id };
    c.secrets.githubAppPrivateKey = { ...APP_KEY_SECRETS.key };
    c.egress.enabled = false;
    c.github.host = githubHost;
    c.retries.maxRetries = 0;
    for (const profile of Object.values(c.agents)) {
      profile.image = image;
      profile.imagePullPolicy = 'Never';
      profile.resources = { high: AGENT_RESOURCES, standard: AGENT_RESOURCES, low: AGENT_RESOURCES };
    }
  });
}

/** The git host of acme/payments with GitHub's REST API beside it, as the play's agents meet GitHub. */
async function playGithub(t: Test, dir: string, options: AgentPlayOptions) {
  const app = githubAppFixture();
  app.installations.set('acme', { id: 21, repositories: ['payments'] });
  const comments: IssueCommentRecord[] = [];
  const labels = new Map<number, string[]>();
  const reviews: ReviewRecord[] = [];
  const checkRuns: CheckRunRecord[] = [];
  const files: RepositoryFile[] = [];
  let host: GitHost | undefined;
  let sent: ReturnType<typeof deliveringRoutes>['sent'] = [];
  // git takes the installation tokens the App issues (as x-access-token), as GitHub does.
  const issuing = app.routes.map(
    (route): GithubRoute =>
      route.method !== 'POST'
        ? route
        : {
            ...route,
            async handle(req) {
              const answer = await route.handle(req);
              const token = (answer.body as { token?: string } | undefined)?.token;
              if (answer.status === 201 && token) host?.server.issue(token, app.slug);
              return answer;
            },
          },
  );
  const routes = (pulls: PullRequestRecord[], branches: (owner: string, repo: string) => string[]) => {
    // A pull request opened records its head commit, and the task markers there (what the contents
    // API reads), from the git host.
    // As GitHub Enterprise answers: its own web address, and the App's token wanted (a private repository).
    const tokens = installationTokens(app, 'https://docs.github.com/rest/pulls/pulls');
    const refused = (req: GithubRequest, need: 'read' | 'write') => {
      const allowed = tokens(req.headers, req.params.repo ?? '', ['pull_requests'], need);
      return 'refused' in allowed ? allowed.refused : undefined;
    };
    const web = () => host?.server.base;
    const [list, create] = pullRoutes(pulls, branches, { refused, web }) as [GithubRoute, GithubRoute];
    const opening: GithubRoute = {
      ...create,
      async handle(req) {
        const answer = await create.handle(req);
        const pr = answer.status === 201 ? pulls.at(-1) : undefined;
        if (pr && host) recordHead(host, pr, files);
        return answer;
      },
    };
    const delivering = deliveringRoutes(
      [
        ...issuing,
        list,
        opening,
        ...issueCommentRoutes(comments, pulls, app),
        ...labelRoutes(labels, pulls, app),
        ...reviewRoutes(reviews, pulls, app),
        ...checkRunRoutes(checkRuns, app),
        ...contentRoutes(pulls, files, app),
      ],
      pulls,
      [app],
      options.send,
      (pr) => labels.get(pr.number) ?? [],
    );
    sent = delivering.sent;
    return delivering.routes;
  };
  host = await gitHost(t, dir, options.tls, { user: 'x-access-token', token: 'ghs_neverIssued' }, routes);
  const repositoryUrl = host.repository('acme/payments.git', 'main', options.files);
  return { app, host, repositoryUrl, comments, labels, reviews, checkRuns, sent: () => sent };
}

/** The head commit of `pr`'s branch on the git host, and the task markers in it, recorded for the API. */
function recordHead(host: GitHost, pr: PullRequestRecord, files: RepositoryFile[]): void {
  const task = /^feature\/task-(\d+)-implementation$/.exec(pr.head)?.[1];
  const marker = task === undefined ? undefined : taskMarkerPath(Number(task));
  const read = marker ? host.read(`${pr.owner}/${pr.repo}.git`, pr.head, marker) : undefined;
  const head = host.read(`${pr.owner}/${pr.repo}.git`, pr.head, '.');
  pr.headSha = read?.commit ?? head?.commit;
  if (read && marker)
    files.push({ owner: pr.owner, repo: pr.repo, commit: read.commit, path: marker, content: read.content });
}

/**
 * The namespace of the play's real agents (see the file's head), its operator and model gateway; the
 * GitHub side (git host, App, what was performed and the deliveries sent) for the test to read.
 */
export async function agentPlayNamespace(
  t: Test,
  cluster: Cluster,
  client: KubeClient,
  apiKey: string,
  options: AgentPlayOptions,
) {
  const dir = mkdtempSync(join(tmpdir(), 'argo-agents-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const github = await playGithub(t, dir, options);
  const model = new ModelStandin({ script: options.script, apiKey });
  const modelUrl = await model.listen(0, NODE_GATEWAY);
  t.teardown(() => model.close());
  const githubHost = new URL(github.host.server.base).host;
  const config = agentPlayConfig(options.image, githubHost);
  const credentials = { appId: String(github.app.appId), privateKey: github.app.privateKey };
  const apiUrl = () => github.host.api.url;
  const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl });
  const { ops } = await worldGateway(t, { cluster, client, apiKey }, config, modelUrl, {
    githubTokens: tokens,
  });
  const webhooks = await startTestWebhooks(t, cluster, { config });
  const ns = await testNamespace(t, cluster, webhooks.namespaceLabels);
  await startOperator(t, cluster, ns, config, {
    gateway: { ledgerNamespace: ops },
    pullRequestComments: new GithubPullRequestComments({ tokens, apiUrl }),
    taskMarkers: new GithubTaskMarkers({ tokens, apiUrl }),
  });
  // Named by host without its port, as the token's scope names them (appRepositories).
  const repository = `${new URL(github.host.server.base).hostname}/acme/payments`;
  await grantWorkflowRepositories(cluster, ns, [repository]);
  return { ns, model, config, github };
}
