// Who may start a run, through the GitHub REST stand-in (checked against GitHub's published description):
// the endpoint asks GitHub's collaborator-permission endpoint with a metadata-read installation token of
// the continued run's App (the real TokenBroker), and a read-only collaborator's comment, an org member
// without access and a fork's CI failure start nothing, while a writer's comment does. Answers are kept
// briefly and bounded in entries; the token is minted once.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import t, { type Test } from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { previousCodeRun, TEAM_A_CODERUNS, webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import { githubPayload, postDelivery } from '../../test/harness/remote/github.js';
import { githubAppFixture } from '../../test/harness/remote/github-api/apps.js';
import { collaboratorsFixture } from '../../test/harness/remote/github-api/collaborators.js';
import { startGithubApi } from '../../test/harness/remote/github-api/server.js';
import type { CodeRun } from '../api/index.js';
import { TokenBroker, type TokenFailure } from './app-tokens/index.js';
import { CollaboratorPermissions, standingOf } from './collaborator-permission.js';
import { githubWebhookRouter } from './router.js';

const SECRET = 'It5-a-s3cret';
const CODERUNS = TEAM_A_CODERUNS;
const config = webhookConfig();
const previous: CodeRun = previousCodeRun(config, { spec: { contextVersion: 1 } });

async function setup(t: Test, maxEntries?: number) {
  const app = githubAppFixture();
  app.installations.set('acme', { id: 11, repositories: ['payments'] });
  const people = collaboratorsFixture(app);
  people.grant('acme/payments', 'writer', 'write');
  people.grant('acme/payments', 'reader', 'read');
  // GitHub's answer for an organisation member the private repository is not shared with.
  people.grant('acme/payments', 'member', 'none');
  const github = await startGithubApi(t, [...app.routes, ...people.routes]);
  const apiUrl = () => `${github.url}/api/v3`;
  const credentials = { appId: String(app.appId), privateKey: app.privateKey };
  const permissions = new CollaboratorPermissions({
    tokens: new TokenBroker({ keys: { of: async () => credentials }, apiUrl }),
    apiUrl,
    ...(maxEntries ? { maxEntries } : {}),
  });
  const api = new FakeApi();
  api.seed(CODERUNS, previous);
  const router = githubWebhookRouter({
    api,
    config: () => config,
    secrets: () => [SECRET],
    logger: pino({ level: 'silent' }),
    permissions,
  });
  const server = new Koa().use(router.routes()).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
  const created = () => [...api.objects.keys()].filter((k) => k.includes('/github-'));
  return { app, people, github, permissions, url, created };
}

const comment = (login: string, association: string, id: number) =>
  JSON.stringify(
    githubPayload('issue_comment.pull_request', (p) => {
      p.issue.labels.push({ name: 'task-7' });
      p.comment.id = id;
      p.comment.user.login = login;
      p.comment.author_association = association;
    }),
  );

t.test('a reader, an org member without access and a fork start nothing; a writer does', async (t) => {
  const { app, people, github, url, created } = await setup(t);
  const reader = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body: comment('reader', 'COLLABORATOR', 1),
  });
  t.equal(reader.status, 403, reader.body.message);
  t.match(
    reader.body.message,
    /reader has read on acme\/payments; githubWebhook.triggerPermission requires write/,
  );
  const member = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body: comment('member', 'MEMBER', 2),
  });
  t.equal(member.status, 403);
  t.match(member.body.message, /member has no access on acme\/payments/);
  const stranger = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body: comment('someone', 'MEMBER', 3),
  });
  t.equal(stranger.status, 403, 'a login GitHub does not know on the repository (404) holds nothing');
  const fork = await postDelivery(url, SECRET, {
    event: 'workflow_run',
    body: JSON.stringify(
      githubPayload('workflow_run.failure', (p) => {
        p.workflow_run.head_repository.full_name = 'mallory/payments';
        p.workflow_run.actor.login = 'mallory';
        p.workflow_run.triggering_actor.login = 'mallory';
      }),
    ),
  });
  t.equal(fork.status, 202);
  t.match(fork.body.message, /is a fork's/);
  t.same(created(), [], 'no run so far');
  const writer = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body: comment('writer', 'COLLABORATOR', 4),
  });
  t.equal(writer.status, 201, writer.body.message);
  t.same(created(), ['/apis/orchestrator.io/v1/namespaces/team-a/coderuns/github-comment-4']);

  t.same(people.asked, [
    'acme/payments:reader',
    'acme/payments:member',
    'acme/payments:someone',
    'acme/payments:writer',
  ]);
  t.equal(app.tokens.length, 1, 'one token for all the questions');
  t.same(app.tokens[0]?.repositories, ['payments'], 'scoped to the one repository');
  t.same(app.tokens[0]?.permissions, { metadata: 'read' }, 'and to reading its metadata');
  t.same(github.unmatched, []);
  // Asked again within the minute: GitHub is not.
  const again = await postDelivery(url, SECRET, {
    event: 'issue_comment',
    body: comment('reader', 'COLLABORATOR', 5),
  });
  t.equal(again.status, 403);
  t.equal(people.asked.length, 4, 'the answer was kept');
});

t.test('answers are bounded in entries; a revoked token is replaced', async (t) => {
  const { app, people, permissions } = await setup(t, 3);
  for (let i = 0; i < 20; i++) people.grant('acme/payments', `user-${i}`, 'read');
  for (let i = 0; i < 20; i++)
    t.equal(
      await permissions.standing({ app: '5DLabs-Rex', repository: 'acme/payments', login: `user-${i}` }),
      'read',
    );
  t.equal(permissions.size, 3, 'at most maxEntries answers held');
  const token = app.tokens[0];
  if (token) token.revoked = true;
  const failure = permissions.standing({ app: '5DLabs-Rex', repository: 'acme/payments', login: 'writer' });
  const refused = await failure.catch((err: TokenFailure) => err);
  t.match(refused, { reason: 'GithubAppKeyRejected' }, 'a 401 is said, not guessed');
  t.equal(
    await permissions.standing({ app: '5DLabs-Rex', repository: 'acme/payments', login: 'writer' }),
    'write',
  );
  t.equal(app.tokens.length, 2, 'a new token after the refused one');
});

t.test(
  "GitHub's fields: the base-role flags first, then role_name, then the legacy permission",
  async (t) => {
    const flags = (f: Record<string, boolean>) => ({
      permission: 'read',
      role_name: 'custom',
      user: { permissions: f },
    });
    t.equal(
      standingOf(flags({ pull: true, triage: true, push: true, maintain: true, admin: false })),
      'maintain',
    );
    t.equal(standingOf(flags({ pull: true, push: false, admin: false })), 'read');
    t.equal(standingOf(flags({ pull: false, push: false, admin: false })), 'none');
    t.equal(standingOf({ permission: 'read', role_name: 'triage', user: null }), 'triage');
    t.equal(standingOf({ permission: 'write', role_name: 'custom-release', user: null }), 'write');
    t.equal(standingOf({ permission: 'none', role_name: 'none', user: null }), 'none');
    t.equal(standingOf(undefined), 'none');
  },
);
