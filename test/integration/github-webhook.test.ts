// The GitHub webhook against the real apiserver, with the real admission webhooks: a signed
// issue_comment (the recorded shape) on a task's pull request creates exactly one remediation CodeRun,
// continuing the run that opened the pull request; its redelivery creates none; a wrong signature
// reaches nothing. A labelled issue starts one TaskRun (decision 0082), admitted by the real webhooks
// and said on the issue at the GitHub stand-in; a second request while it works starts none and says
// so; a reader's starts none and is said nowhere on GitHub.

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import Koa from 'koa';
import pino from 'pino';
import t, { type Test } from 'tap';
import {
  ANNOTATIONS,
  type CodeRun,
  type ControllerConfig,
  LABELS,
  runResource,
  type TaskRun,
} from '../../src/api/index.js';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import { TokenBroker } from '../../src/github/app-tokens/index.js';
import { CollaboratorPermissions } from '../../src/github/collaborator-permission.js';
import { GithubPullRequestComments } from '../../src/github/pull-request-comments.js';
import { githubWebhookRouter } from '../../src/github/router.js';
import { KubeClient, type KubeObject, resourcePath } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { githubPayload, postDelivery } from '../harness/remote/github.js';
import { type GithubAppFixture, githubAppFixture } from '../harness/remote/github-api/apps.js';
import { collaboratorsFixture } from '../harness/remote/github-api/collaborators.js';
import { type IssueCommentRecord, issueCommentRoutes } from '../harness/remote/github-api/issue-comments.js';
import type { GithubRoute } from '../harness/remote/github-api/route.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';
import { seedConfig } from '../harness/util/app-configs.js';

const SECRET = 'integration-s3cret';
const PR = 'https://github.com/acme/payments/pull/12';

const cluster = await testCluster();
await ensureCrds(cluster);
const webhooks = await startTestWebhooks(t, cluster);
const client = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: 30_000 });
t.teardown(() => client.close());

/** No controller runs here to release the cleanup finalizer: released at teardown, as admission.test does. */
function releaseFinalizers(t: Test, collection: string) {
  t.teardown(async () => {
    const list = await client.request<{ items: KubeObject[] }>('GET', collection);
    for (const run of list.items)
      await client.request('PATCH', `${collection}/${run.metadata?.name}`, {
        body: { metadata: { finalizers: null } },
        contentType: 'application/merge-patch+json',
      });
  });
}

/**
 * GitHub (the REST stand-in, with `routes` too): the App installed on acme/payments, octocat who may
 * write there and reader who may read; and the tokens of its App.
 */
async function github(t: Test, routes: (app: GithubAppFixture) => GithubRoute[] = () => []) {
  const githubApp = githubAppFixture();
  githubApp.installations.set('acme', { id: 11, repositories: ['payments'] });
  const people = collaboratorsFixture(githubApp);
  people.grant('acme/payments', 'octocat', 'write');
  people.grant('acme/payments', 'reader', 'read');
  const api = await startGithubApi(t, [...githubApp.routes, ...people.routes, ...routes(githubApp)]);
  const apiUrl = () => api.url;
  const credentials = { appId: String(githubApp.appId), privateKey: githubApp.privateKey };
  const tokens = new TokenBroker({ keys: { of: async () => credentials }, apiUrl });
  return { apiUrl, tokens, permissions: new CollaboratorPermissions({ tokens, apiUrl }) };
}

/** The endpoint under `config` (and `more` of the router's options) on a koa app of its own; its URL. */
async function serve(
  t: Test,
  config: ControllerConfig,
  more: Partial<Parameters<typeof githubWebhookRouter>[0]>,
): Promise<string> {
  const router = githubWebhookRouter({
    api: client,
    config: () => config,
    secrets: () => [SECRET],
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    ...more,
  });
  const app = new Koa().use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
}

t.test('a signed comment on a task pull request creates one remediation CodeRun', async (t) => {
  const namespace = await testNamespace(t, cluster, webhooks.namespaceLabels);
  const coderuns = resourcePath(runResource('CodeRun'), namespace);
  releaseFinalizers(t, coderuns);
  // The run that opened the pull request, admitted (labels, defaults) by the real webhooks.
  await client.request('POST', coderuns, {
    body: {
      apiVersion: 'orchestrator.io/v1',
      kind: 'CodeRun',
      metadata: { name: 'payments-task-7-rex' },
      spec: {
        taskId: 7,
        service: 'payments',
        githubApp: '5DLabs-Rex',
        repositoryUrl: 'acme/payments',
        docsRepositoryUrl: 'https://github.com/acme/payments-docs.git',
        docsProjectDirectory: 'projects/payments',
      },
    },
  });
  await client.request('PATCH', `${coderuns}/payments-task-7-rex/status`, {
    body: { status: { pullRequestUrl: PR, sessionId: 'sess-7a' } },
    contentType: 'application/merge-patch+json',
  });

  const config: ControllerConfig = configFrom({
    ...loadDefaultConfig(),
    githubWebhook: { repositories: [{ name: 'acme/payments', namespace }] },
  });
  // GitHub (the REST stand-in) says the comment's author may write; a reader's comment starts nothing.
  const { permissions } = await github(t);
  const url = await serve(t, config, { permissions });

  const body = JSON.stringify(githubPayload('issue_comment.pull_request'));
  const id = '0f4d1a52-c7e8-11f0-8c3a-5e2b6d1f9a11';
  const wrong = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body,
    id,
    signature: await sign('guess', body),
  });
  t.equal(wrong.status, 401, 'a wrong signature');

  const byReader = JSON.stringify(
    githubPayload('issue_comment.pull_request', (p) => {
      p.comment.id = 99;
      p.comment.user.login = 'reader';
      p.comment.author_association = 'COLLABORATOR';
    }),
  );
  const refused = await postDelivery(url, SECRET, { event: 'issue_comment', body: byReader });
  t.equal(refused.status, 403, refused.body.message);
  t.match(refused.body.message, /reader has read on acme\/payments/);

  const created = await postDelivery(url, SECRET, { event: 'issue_comment', body, id });
  t.equal(created.status, 201, created.body.message);
  // Named from the signed payload (the comment's id), whatever the delivery header says.
  const name = 'github-comment-1466357331';
  t.same(created.body.run, { namespace, name });
  const run = await client.request<CodeRun>('GET', `${coderuns}/${name}`);
  t.match(run.spec, {
    taskId: 7,
    service: 'payments',
    githubApp: '5DLabs-Rex',
    repositoryUrl: 'https://github.com/acme/payments',
    docsProjectDirectory: 'projects/payments',
    contextVersion: 2,
    continueSession: true,
    remediation: {
      trigger: 'comment',
      feedback: 'The retry loop never stops on a declined card: stop after a 402.',
      author: 'octocat',
      pullRequestUrl: PR,
      sessionId: 'sess-7a',
    },
  });
  t.ok(run.spec.image, 'admitted through the defaulting webhook');
  t.match(run.metadata?.labels, {
    [LABELS.taskId]: '7',
    [LABELS.service]: 'payments',
    [LABELS.agent]: 'rex',
  });
  t.equal(run.metadata?.annotations?.['orchestrator.io/continues'], 'payments-task-7-rex');
  t.equal(run.metadata?.annotations?.['orchestrator.io/github-delivery'], id, 'the delivery id, for tracing');

  // The captured signed body, replayed: as GitHub's redelivery (same id) and under ids of one's choosing.
  for (const replay of [id, randomUUID(), randomUUID(), 'ci-ec26c3e57ca3a959ca5aad62de7213c562f8c821']) {
    const again = await postDelivery(url, SECRET, { event: 'issue_comment', body, id: replay });
    t.equal(again.status, 200, again.body.message);
    t.equal(again.body.message, `already done: CodeRun ${namespace}/${name} exists (a redelivery)`);
  }
  const list = await client.request<{ items: CodeRun[] }>('GET', coderuns);
  t.same(list.items.map((r) => r.metadata?.name).sort(), [name, 'payments-task-7-rex'], 'one run started');
});

t.test(
  "a labelled issue starts one TaskRun; another request while it works, or a reader's, none",
  async (t) => {
    const namespace = await testNamespace(t, cluster, webhooks.namespaceLabels);
    const taskruns = resourcePath(runResource('TaskRun'), namespace);
    releaseFinalizers(t, taskruns);
    // The seed's Apps: rex, the default agent, acts as 5DLabs-Rex, whose token asks and answers.
    const config: ControllerConfig = configFrom({
      ...seedConfig(),
      githubWebhook: {
        repositories: [
          { name: 'acme/payments', namespace, issues: { label: 'orchestrator', mention: true } },
        ],
      },
    });
    const said: IssueCommentRecord[] = [];
    const issue = { owner: 'acme', repo: 'payments', number: 42 };
    const { tokens, permissions, apiUrl } = await github(t, (app) =>
      issueCommentRoutes(said, [], app, undefined, [issue]),
    );
    const url = await serve(t, config, {
      permissions,
      comments: new GithubPullRequestComments({ tokens, apiUrl }),
    });

    const byReader = githubPayload('issues.labeled', (p) => {
      p.sender.login = 'reader';
    });
    const refused = await postDelivery(url, SECRET, { event: 'issues', body: JSON.stringify(byReader) });
    t.equal(refused.status, 403, refused.body.message);
    t.match(refused.body.message, 'reader has read on acme/payments');
    t.same(said, [], 'a reader is not answered on the issue');

    const created = await postDelivery(url, SECRET, {
      event: 'issues',
      body: JSON.stringify(githubPayload('issues.labeled')),
    });
    t.equal(created.status, 201, created.body.message);
    const name = 'acme-payments-issue-42-1';
    t.same(created.body.run, { namespace, name });
    const run = await client.request<TaskRun>('GET', `${taskruns}/${name}`);
    t.match(run.spec, {
      serviceName: 'payments',
      agent: 'rex',
      repository: { url: 'https://github.com/acme/payments', branch: 'main' },
      prompt: /<issue>\ntitle: Declined cards are retried forever\n/,
    });
    t.ok(run.spec.image, 'admitted through the defaulting webhook');
    t.match(run.metadata?.labels, {
      [LABELS.githubIssue]: '42',
      [LABELS.taskId]: String(run.spec.taskId),
      [LABELS.agent]: 'rex',
    });
    t.equal(
      run.metadata?.annotations?.[ANNOTATIONS.githubIssueUrl],
      'https://github.com/acme/payments/issues/42',
    );
    t.match(said, [
      {
        number: 42,
        author: { login: '5dlabs-rex[bot]' },
        body: /Started TaskRun `[^`]+\/acme-payments-issue-42-1`/,
      },
    ]);

    const mention = githubPayload('issue_comment.issue', (p) => {
      p.issue.number = 42;
      p.issue.html_url = 'https://github.com/acme/payments/issues/42';
      p.comment.body = '@5dlabs-rex please look at this';
    });
    const busy = await postDelivery(url, SECRET, { event: 'issue_comment', body: JSON.stringify(mention) });
    t.equal(busy.status, 202, busy.body.message);
    t.match(busy.body.message, `a run is already working on acme/payments#42: TaskRun ${namespace}/${name}`);
    t.match(said.at(-1), { number: 42, body: /Not started: TaskRun .* is already working on this issue/ });
    const list = await client.request<{ items: TaskRun[] }>('GET', taskruns);
    t.same(
      list.items.map((r) => r.metadata?.name),
      [name],
      'one run for the issue',
    );
  },
);
