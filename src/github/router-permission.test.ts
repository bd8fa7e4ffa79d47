// Who may start a run from GitHub (trigger-permission.ts), at the endpoint, with an in-memory fake of
// what GitHub says (RepositoryPermissions): association never suffices; a refusal is a 403 naming the
// rule, creates nothing and is counted; GitHub not answering is a 503, never a guess.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { previousCodeRun, TEAM_A_CODERUNS, webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import { githubPayload, type Payload, postDelivery } from '../../test/harness/remote/github.js';
import type { CodeRun, ControllerConfig } from '../api/index.js';
import { githubWebhookRouter } from './router.js';
import type { PermissionQuery, RepositoryPermissions, Standing } from './trigger-permission.js';

const SECRET = 'It5-a-s3cret';
const CODERUNS = TEAM_A_CODERUNS;

const configWith = (hook: Partial<ControllerConfig['githubWebhook']> = {}): ControllerConfig =>
  webhookConfig(hook as Record<string, unknown>);

/** GitHub's answers, in memory; every question recorded. */
class FakePermissions implements RepositoryPermissions {
  readonly asked: PermissionQuery[] = [];
  failure: Error | undefined;
  constructor(private readonly roles: Record<string, Standing>) {}
  async standing(q: PermissionQuery): Promise<Standing> {
    this.asked.push(q);
    if (this.failure) throw this.failure;
    return this.roles[q.login] ?? 'none';
  }
}

const previous = (spec: Partial<CodeRun['spec']> = {}): CodeRun => previousCodeRun(configWith(), { spec });

async function endpoint(
  t: { teardown(fn: () => unknown): void },
  opts: { config?: ControllerConfig; permissions?: RepositoryPermissions; run?: CodeRun } = {},
) {
  const api = new FakeApi();
  api.seed(CODERUNS, opts.run ?? previous());
  const registry = new Registry();
  const config = opts.config ?? configWith();
  const router = githubWebhookRouter({
    api,
    config: () => config,
    secrets: () => [SECRET],
    logger: pino({ level: 'silent' }),
    registry,
    ...(opts.permissions ? { permissions: opts.permissions } : {}),
  });
  const app = new Koa().use(router.routes());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
  const created = () => [...api.objects.keys()].filter((k) => k.includes('/github-'));
  const counted = async () =>
    (await registry.getSingleMetricAsString('orchestrator_github_trigger_checks_total')) ?? '';
  return { api, url, created, counted };
}

/** A comment on task 7's pull request by `login`, with `association`. */
const comment = (login: string, association = 'COLLABORATOR') =>
  JSON.stringify(
    githubPayload('issue_comment.pull_request', (p) => {
      p.issue.labels.push({ name: 'task-7' });
      p.comment.user.login = login;
      p.comment.author_association = association;
    }),
  );

t.test(
  'association never suffices: a reader, an org member without access and a triager start nothing',
  async (t) => {
    const permissions = new FakePermissions({
      reader: 'read',
      member: 'none',
      triager: 'triage',
      writer: 'write',
    });
    const { url, created, counted } = await endpoint(t, { permissions });
    for (const [login, association, held] of [
      ['reader', 'COLLABORATOR', 'read'],
      ['member', 'MEMBER', 'no access'],
      ['triager', 'COLLABORATOR', 'triage'],
    ] as const) {
      const res = await postDelivery(url, SECRET, {
        event: 'issue_comment',
        body: comment(login, association),
      });
      t.equal(res.status, 403, `${login}: ${res.body.message}`);
      t.equal(
        res.body.message,
        `refused: ${login} has ${held} on acme/payments; githubWebhook.triggerPermission requires write`,
      );
    }
    t.same(created(), [], 'no run');
    const writer = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment('writer') });
    t.equal(writer.status, 201, writer.body.message);
    t.same(
      permissions.asked.map((q) => `${q.app} ${q.repository} ${q.login}`),
      [
        '5DLabs-Rex acme/payments reader',
        '5DLabs-Rex acme/payments member',
        '5DLabs-Rex acme/payments triager',
        '5DLabs-Rex acme/payments writer',
      ],
      "asked as the continued run's App, about the comment's author",
    );
    const metric = await counted();
    t.match(metric, /outcome="refused"} 3/);
    t.match(metric, /outcome="allowed"} 1/);
    // The cheap filter still runs first: a NONE comment costs GitHub no question.
    const stranger = await postDelivery(url, SECRET, {
      event: 'issue_comment',
      body: comment('writer', 'NONE'),
    });
    t.equal(stranger.status, 202);
    t.equal(permissions.asked.length, 4);
  },
);

t.test("the level is the config's: maintain refuses a writer; admins pass", async (t) => {
  const permissions = new FakePermissions({ writer: 'write', boss: 'admin' });
  const config = configWith({ triggerPermission: 'maintain' });
  const { url } = await endpoint(t, { permissions, config });
  t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body: comment('writer') }), {
    status: 403,
    body: {
      message: /writer has write on acme\/payments; githubWebhook.triggerPermission requires maintain/,
    },
  });
  t.equal(
    (await postDelivery(url, SECRET, { event: 'issue_comment', body: comment('boss', 'OWNER') })).status,
    201,
  );
});

t.test('CI: the triggering actor is checked, the own App passes, a fork never does', async (t) => {
  const permissions = new FakePermissions({ writer: 'write', reader: 'read' });
  const { url, created } = await endpoint(t, { permissions });
  const workflow = (change: (p: Payload) => void) =>
    JSON.stringify(githubPayload('workflow_run.failure', change));
  const fork = await postDelivery(url, SECRET, {
    event: 'workflow_run',
    body: workflow((p) => {
      p.workflow_run.head_repository.full_name = 'mallory/payments';
      p.workflow_run.triggering_actor.login = 'writer';
    }),
  });
  t.equal(fork.status, 202);
  t.match(fork.body.message, /the head branch feature\/task-7-implementation is a fork's/);
  const rerunByReader = await postDelivery(url, SECRET, {
    event: 'workflow_run',
    body: workflow((p) => (p.workflow_run.triggering_actor.login = 'reader')),
  });
  t.equal(rerunByReader.status, 403, "a re-run is its triggering actor's");
  t.match(rerunByReader.body.message, /reader has read/);
  t.same(created(), []);
  t.same(
    permissions.asked.map((q) => q.login),
    ['reader'],
    'the fork was refused before GitHub was asked',
  );
  const own = await postDelivery(url, SECRET, { event: 'workflow_run', body: workflow(() => {}) });
  t.equal(own.status, 201, `pushed by the project's own App: ${own.body.message}`);
  t.equal(permissions.asked.length, 1, 'its own bot is not asked about');
});

t.test('no App to ask with: refused, unless triggerPermission none says so explicitly', async (t) => {
  const userRun = previous({ githubApp: undefined, githubUser: 'jdoe' });
  const asUser = await endpoint(t, { permissions: new FakePermissions({ octocat: 'admin' }), run: userRun });
  t.match(await postDelivery(asUser.url, SECRET, { event: 'issue_comment', body: comment('octocat') }), {
    status: 403,
    body: { message: /acts as a GitHub user, not a GitHub App.*triggerPermission: none/ },
  });
  const noKeys = await endpoint(t, {});
  t.match(await postDelivery(noKeys.url, SECRET, { event: 'issue_comment', body: comment('octocat') }), {
    status: 403,
    body: { message: /no GitHub App keys \(secrets\.githubAppId, secrets\.githubAppPrivateKey\)/ },
  });
  const optedOut = await endpoint(t, { config: configWith({ triggerPermission: 'none' }), run: userRun });
  t.equal(
    (await postDelivery(optedOut.url, SECRET, { event: 'issue_comment', body: comment('octocat') })).status,
    201,
  );
});

t.test('GitHub not answering is a 503 with the reason; nothing is created', async (t) => {
  const permissions = new FakePermissions({ writer: 'write' });
  permissions.failure = new Error('GitHub did not answer (timeout)');
  const { url, created, counted } = await endpoint(t, { permissions });
  const res = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment('writer') });
  t.equal(res.status, 503);
  t.equal(
    res.body.message,
    'GitHub could not say whether writer may write acme/payments: GitHub did not answer (timeout)',
  );
  t.same(created(), []);
  t.match(await counted(), /outcome="unknown"} 1/);
});
