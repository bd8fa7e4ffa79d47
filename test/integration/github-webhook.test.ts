// The GitHub webhook against the real apiserver, with the real admission webhooks: a signed
// issue_comment (the recorded shape) on a task's pull request creates exactly one remediation CodeRun,
// continuing the run that opened the pull request; its redelivery creates none; a wrong signature
// reaches nothing.

import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { sign } from '@octokit/webhooks-methods';
import Koa from 'koa';
import pino from 'pino';
import t from 'tap';
import { type CodeRun, type ControllerConfig, LABELS, runResource } from '../../src/api/index.js';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import { TokenBroker } from '../../src/github/app-tokens/index.js';
import { CollaboratorPermissions } from '../../src/github/collaborator-permission.js';
import { githubWebhookRouter } from '../../src/github/router.js';
import { KubeClient, resourcePath } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { githubPayload, postDelivery } from '../harness/remote/github.js';
import { githubAppFixture } from '../harness/remote/github-api/apps.js';
import { collaboratorsFixture } from '../harness/remote/github-api/collaborators.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';

const SECRET = 'integration-s3cret';
const PR = 'https://github.com/acme/payments/pull/12';

const cluster = await testCluster();
await ensureCrds(cluster);
const webhooks = await startTestWebhooks(t, cluster);
const client = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: 30_000 });
t.teardown(() => client.close());

t.test('a signed comment on a task pull request creates one remediation CodeRun', async (t) => {
  const namespace = await testNamespace(t, cluster, webhooks.namespaceLabels);
  const coderuns = resourcePath(runResource('CodeRun'), namespace);
  t.teardown(async () => {
    // No controller runs here to release the cleanup finalizer: release it, as admission.test does.
    const list = await client.request<{ items: CodeRun[] }>('GET', coderuns);
    for (const run of list.items)
      await client.request('PATCH', `${coderuns}/${run.metadata?.name}`, {
        body: { metadata: { finalizers: null } },
        contentType: 'application/merge-patch+json',
      });
  });
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
  const githubApp = githubAppFixture();
  githubApp.installations.set('acme', { id: 11, repositories: ['payments'] });
  const people = collaboratorsFixture(githubApp);
  people.grant('acme/payments', 'octocat', 'write');
  people.grant('acme/payments', 'reader', 'read');
  const github = await startGithubApi(t, [...githubApp.routes, ...people.routes]);
  const apiUrl = () => github.url;
  const credentials = { appId: String(githubApp.appId), privateKey: githubApp.privateKey };
  const router = githubWebhookRouter({
    api: client,
    config: () => config,
    secrets: () => [SECRET],
    permissions: new CollaboratorPermissions({
      tokens: new TokenBroker({ keys: { of: async () => credentials }, apiUrl }),
      apiUrl,
    }),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  const app = new Koa().use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;

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
