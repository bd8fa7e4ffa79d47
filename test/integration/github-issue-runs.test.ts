// Runs from GitHub issues (decision 0082) against the real apiserver, the real admission webhooks and
// real RBAC, the endpoint acting as the operator's ServiceAccount with only config/rbac's REST API role
// (as installed), and GitHub's REST stand-in answering who may write and taking the comments:
// - a labelled issue starts one TaskRun, admitted for the configured submitter, whose grants admission
//   the operator checks (the agent profile and the App's repository); the start is said on the issue;
// - a mention while it works starts none and says so on the issue;
// - a reader's label starts none and is said nowhere on GitHub;
// - a repository whose submitter holds no grant: the operator refuses the run (admission trusts the
//   operator's runs), the delivery's answer says why and the issue only that it was refused.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import t from 'tap';
import { ANNOTATIONS, type ControllerConfig, LABELS, type TaskRun } from '../../src/api/index.js';
import { serviceAccountUser } from '../../src/app/service-account.js';
import { KubeReviewer } from '../../src/auth/index.js';
import { configFrom } from '../../src/config/load.js';
import { TokenBroker } from '../../src/github/app-tokens/index.js';
import { CollaboratorPermissions } from '../../src/github/collaborator-permission.js';
import { GithubPullRequestComments } from '../../src/github/pull-request-comments.js';
import { githubWebhookRouter } from '../../src/github/router.js';
import { KubeClient } from '../../src/runtime/index.js';
import { kubeConfig, testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { submitterWorld } from '../harness/operator/submitter-runs.js';
import { githubPayload, type Payload, postDelivery } from '../harness/remote/github.js';
import { githubAppFixture } from '../harness/remote/github-api/apps.js';
import { collaboratorsFixture } from '../harness/remote/github-api/collaborators.js';
import { type IssueCommentRecord, issueCommentRoutes } from '../harness/remote/github-api/issue-comments.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';
import { seedConfig } from '../harness/util/app-configs.js';
import { REQUEST_LIMIT_MS, scaled } from '../harness/util/wait.js';

const SECRET = 'issue-s3cret';
const cluster = await testCluster();
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
t.teardown(() => admin.close());

t.test('issues start runs as their configured submitter, one per issue, said on the issue', async (t) => {
  // What an install grants the submitter of a repository's issue runs: rex, and rex's App on acme/payments.
  const { operator, ns, taskruns, users } = await submitterWorld(t, cluster, admin, ['issues', 'nobody']);
  const submitter = users.issues ?? '';

  // The seed's Apps: rex, the default agent, acts as 5DLabs-Rex, whose token asks and answers.
  const issues = (who: string) => ({
    submitter: serviceAccountUser({ namespace: ns, name: who }),
    label: 'orchestrator',
    mention: true,
  });
  const config: ControllerConfig = configFrom({
    ...seedConfig(),
    githubWebhook: {
      repositories: [
        { name: 'acme/payments', namespace: ns, issues: issues('issues') },
        { name: 'acme/ledger', namespace: ns, issues: issues('nobody') },
      ],
    },
  });
  const githubApp = githubAppFixture();
  githubApp.installations.set('acme', { id: 11, repositories: ['payments', 'ledger'] });
  const people = collaboratorsFixture(githubApp);
  people.grant('acme/payments', 'octocat', 'write');
  people.grant('acme/ledger', 'octocat', 'write');
  people.grant('acme/payments', 'reader', 'read');
  const said: IssueCommentRecord[] = [];
  const open = [
    { owner: 'acme', repo: 'payments', number: 42 },
    { owner: 'acme', repo: 'ledger', number: 42 },
  ];
  const github = await startGithubApi(t, [
    ...githubApp.routes,
    ...people.routes,
    ...issueCommentRoutes(said, [], githubApp, undefined, open),
  ]);
  const apiUrl = () => github.url;
  const credentials = { appId: String(githubApp.appId), privateKey: githubApp.privateKey };
  const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl });
  const router = githubWebhookRouter({
    api: operator,
    config: () => config,
    secrets: () => [SECRET],
    permissions: new CollaboratorPermissions({ tokens, apiUrl }),
    comments: new GithubPullRequestComments({ tokens, apiUrl }),
    // The REST API's reviews, as the install has them: the operator asks RBAC about the submitter.
    reviewer: new KubeReviewer({ client: operator, audience: 'orchestrator', timeoutMs: scaled(10_000) }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const server = new Koa().use(router.routes()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
  const deliver = (event: string, fixture: string, change: (p: Payload) => void = () => {}) =>
    postDelivery(url, SECRET, { event, body: JSON.stringify(githubPayload(fixture, change)) });

  const byReader = await deliver('issues', 'issues.labeled', (p) => {
    p.sender.login = 'reader';
  });
  t.equal(byReader.status, 403, byReader.body.message);
  t.match(byReader.body.message, 'reader has read on acme/payments');
  t.same(said, [], 'a reader is not answered on the issue');

  const created = await deliver('issues', 'issues.labeled');
  t.equal(created.status, 201, created.body.message);
  const name = 'acme-payments-issue-42-1';
  t.same(created.body.run, { namespace: ns, name });
  const run = await admin.request<TaskRun>('GET', `${taskruns}/${name}`);
  t.match(run.spec, {
    serviceName: 'payments',
    agent: 'rex',
    repository: { url: 'https://github.com/acme/payments', branch: 'main' },
    prompt: /<issue>\ntitle: Declined cards are retried forever\n/,
  });
  t.ok(run.spec.image, 'admitted through the defaulting webhook');
  t.match(run.metadata?.labels, { [LABELS.githubIssue]: '42', [LABELS.taskId]: String(run.spec.taskId) });
  t.match(run.metadata?.annotations, {
    [ANNOTATIONS.submittedBy]: submitter,
    [ANNOTATIONS.githubIssueUrl]: 'https://github.com/acme/payments/issues/42',
  });
  t.match(said, [
    {
      repo: 'payments',
      number: 42,
      author: { login: '5dlabs-rex[bot]' },
      body: /Started TaskRun `[^`]+\/acme-payments-issue-42-1`/,
    },
  ]);

  const busy = await deliver('issue_comment', 'issue_comment.issue', (p) => {
    p.issue.number = 42;
    p.issue.html_url = 'https://github.com/acme/payments/issues/42';
    p.comment.body = '@5dlabs-rex please look at this';
  });
  t.equal(busy.status, 202, busy.body.message);
  t.match(busy.body.message, `a run is already working on acme/payments#42: TaskRun ${ns}/${name}`);
  t.match(said.at(-1), {
    repo: 'payments',
    body: /Not started: TaskRun .* is already working on this issue/,
  });

  // The ledger's submitter was granted nothing: the operator refuses its run (the admission webhook
  // trusts the operator's runs), the delivery's answer says why, and the issue only that it was refused.
  const refused = await deliver('issues', 'issues.labeled', (p) => {
    p.repository.full_name = 'acme/ledger';
    p.issue.html_url = 'https://github.com/acme/ledger/issues/42';
  });
  t.equal(refused.status, 422, refused.body.message);
  t.match(
    refused.body.message,
    `${serviceAccountUser({ namespace: ns, name: 'nobody' })} (repositories[].issues.submitter)`,
  );
  t.match(refused.body.message, /agentprofiles/);
  const told = said.at(-1);
  t.match(told, { repo: 'ledger', number: 42, body: /Not started: the cluster refused this issue's run/ });
  t.notMatch(
    told?.body,
    /agentprofiles|nobody|serviceaccount/,
    'the cluster’s accounts and rules are not said on GitHub',
  );
  const list = await admin.request<{ items: TaskRun[] }>('GET', taskruns);
  t.same(
    list.items.map((r) => r.metadata?.name),
    [name],
    'one run in all',
  );
});
