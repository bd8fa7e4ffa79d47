// Runs from issues through the endpoint, against the in-memory API: a label starts one TaskRun; a second
// request while it works starts none and says so on the issue; a redelivery finds its run; a finished
// run lets the next one start; someone GitHub says may not write is refused and never answered on the
// issue; a comment on a task's pull request still remediates while a mention elsewhere starts a run.
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { previousCodeRun, TEAM_A_CODERUNS, webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import { githubPayload, type Payload, postDelivery } from '../../test/harness/remote/github.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { ANNOTATIONS, LABELS, type TaskRun } from '../api/index.js';
import type { AccessAttributes, AccessReviewer, UserInfo } from '../auth/index.js';
import type { CommentRequest, PullRequestComments } from './pull-request-comments.js';
import { githubWebhookRouter } from './router.js';

const SECRET = 'It5-a-s3cret';
const TASKRUNS = '/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns';
const config = webhookConfig({
  repositories: [
    {
      name: 'acme/payments',
      namespace: 'team-a',
      issues: { submitter: 'system:serviceaccount:team-a:issues', label: 'orchestrator', mention: true },
    },
  ],
});

/** RBAC, in memory: the issues' submitter may use rex and acme's repositories; anyone else nothing. */
const asked: { user: UserInfo; attributes: AccessAttributes }[] = [];
const rbac: AccessReviewer = {
  authenticate: async () => {
    throw new Error('no tokens here');
  },
  authorize: async (user, attributes) => {
    asked.push({ user, attributes });
    const name = 'resource' in attributes ? attributes.resource.name : undefined;
    const allowed =
      user.username === 'system:serviceaccount:team-a:issues' &&
      (name === 'rex' || /\/acme\//.test(name ?? ''));
    return { allowed, reason: allowed ? '' : 'no RoleBinding' };
  },
};

async function endpoint(t: { teardown(fn: () => unknown): void }, api = new FakeApi(), hook = config) {
  const said: CommentRequest[] = [];
  const comments: PullRequestComments = {
    post: async (req) => {
      said.push(req);
      return {
        url: `https://github.com/acme/payments/issues/${req.pullRequest.number}#c${said.length}`,
        found: false,
      };
    },
  };
  const registry = new Registry();
  const router = githubWebhookRouter({
    api,
    // GitHub's answer, in memory: octocat may write, reader may read.
    permissions: {
      standing: async (q) => (q.login === 'octocat' ? 'write' : q.login === 'reader' ? 'read' : 'none'),
    },
    comments,
    reviewer: rbac,
    config: () => hook,
    secrets: () => [SECRET],
    logger: pino({ level: 'silent' }),
    registry,
  });
  const app = new Koa().use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
  const deliver = (event: string, fixture: string, change: (p: Payload) => void = () => {}) =>
    postDelivery(url, SECRET, { event, body: JSON.stringify(githubPayload(fixture, change)) });
  const counted = async (outcome: string) =>
    sampleSum(await registry.metrics(), 'orchestrator_github_issue_runs_total', { outcome });
  return { api, said, deliver, counted };
}

const relabelled = (at: string) => (p: Payload) => {
  p.issue.updated_at = at;
};

t.test('a label starts one TaskRun; another request while it works starts none and says so', async (t) => {
  const { api, said, deliver, counted } = await endpoint(t);
  const first = await deliver('issues', 'issues.labeled');
  t.equal(first.status, 201, first.body.message);
  t.same(first.body.run, { namespace: 'team-a', name: 'acme-payments-issue-42-1' });
  const run = api.objects.get(`${TASKRUNS}/acme-payments-issue-42-1`) as TaskRun;
  t.match(run.metadata?.labels, { [LABELS.githubIssue]: '42' });
  t.equal(
    run.metadata?.annotations?.[ANNOTATIONS.githubIssueUrl],
    'https://github.com/acme/payments/issues/42',
  );
  t.match(run.spec, { agent: 'rex', repository: { url: 'https://github.com/acme/payments' } });
  t.match(said, [
    { app: '5DLabs-Rex', on: 'issue', pullRequest: { owner: 'acme', repo: 'payments', number: 42 } },
  ]);
  t.match(said[0]?.body, /Started TaskRun `team-a\/acme-payments-issue-42-1`.*asked by @octocat/);

  const again = await deliver('issues', 'issues.labeled');
  t.equal(again.status, 200, 'the same labelling redelivered finds its run');
  t.match(again.body.message, 'already done: TaskRun team-a/acme-payments-issue-42-1');

  const mention = await deliver('issue_comment', 'issue_comment.issue', (p) => {
    p.issue.number = 42;
    p.comment.body = '@5DLabs-Rex take this one';
  });
  t.equal(mention.status, 202, mention.body.message);
  t.match(
    mention.body.message,
    'a run is already working on acme/payments#42: TaskRun team-a/acme-payments-issue-42-1',
  );
  t.match(said.at(-1), {
    on: 'issue',
    body: /Not started: TaskRun `team-a\/acme-payments-issue-42-1` is already working/,
  });
  t.equal(api.made('POST', TASKRUNS).length, 1, 'one run created');

  // Finished: the next request starts the issue's second run.
  run.status = { phase: 'Succeeded', attempt: 1 };
  const next = await deliver('issues', 'issues.labeled', relabelled('2026-11-25T10:00:00Z'));
  t.equal(next.status, 201, next.body.message);
  t.same(next.body.run, { namespace: 'team-a', name: 'acme-payments-issue-42-2' });
  t.equal(await counted('created'), 2);
  t.equal(await counted('running'), 1);
  t.equal(await counted('redelivery'), 1);
});

t.test('someone GitHub says may not write is refused, and not answered on the issue', async (t) => {
  const { api, said, deliver, counted } = await endpoint(t);
  const refused = await deliver('issues', 'issues.labeled', (p) => (p.sender.login = 'reader'));
  t.equal(refused.status, 403, refused.body.message);
  t.match(
    refused.body.message,
    'refused: reader has read on acme/payments; githubWebhook.triggerPermission requires write',
  );
  const stranger = await deliver('issue_comment', 'issue_comment.issue', (p) => {
    p.comment.user.login = 'mallory';
    p.comment.body = '@5dlabs-rex run';
  });
  t.equal(stranger.status, 403, stranger.body.message);
  t.same(said, [], 'nothing said on GitHub');
  t.same(api.made('POST'), [], 'nothing created');
  t.equal(await counted('refused'), 2);
});

t.test('what is not configured, or not the trigger, is ignored with the reason', async (t) => {
  const { api, said, deliver } = await endpoint(t);
  const other = await deliver('issues', 'issues.labeled', (p) => (p.label.name = 'bug'));
  t.equal(other.status, 202);
  t.match(other.body.message, 'ignored: the label bug is not orchestrator');
  const plain = await deliver('issue_comment', 'issue_comment.issue', (p) => (p.comment.body = 'looks fine'));
  t.match(plain.body.message, 'ignored: the comment on acme/payments#13 does not mention @5DLabs-Rex');
  t.same(said, []);
  t.same(api.made('POST'), []);
});

t.test(
  "a comment on a task's pull request remediates; a mention on another pull request starts a run",
  async (t) => {
    const api = new FakeApi();
    api.seed(
      TEAM_A_CODERUNS,
      previousCodeRun(config, { status: { pullRequestUrl: 'https://github.com/acme/payments/pull/12' } }),
    );
    const { deliver } = await endpoint(t, api);
    const onTask = await deliver('issue_comment', 'issue_comment.pull_request', (p) => {
      p.comment.body = '@5dlabs-rex stop after a 402';
    });
    t.equal(onTask.status, 201, onTask.body.message);
    t.match(onTask.body.run, { name: 'github-comment-1466357331' }, 'the remediation CodeRun');
    const elsewhere = await deliver('issue_comment', 'issue_comment.pull_request', (p) => {
      p.issue.number = 30;
      p.issue.pull_request.html_url = 'https://github.com/acme/payments/pull/30';
      p.comment.id = 77;
      p.comment.body = '@5dlabs-rex please rebase this';
    });
    t.equal(elsewhere.status, 201, elsewhere.body.message);
    t.same(elsewhere.body.run, { namespace: 'team-a', name: 'acme-payments-issue-30-1' });
    const plain = await deliver('issue_comment', 'issue_comment.pull_request', (p) => {
      p.issue.pull_request.html_url = 'https://github.com/acme/payments/pull/31';
      p.comment.id = 78;
    });
    t.equal(plain.status, 202);
    t.match(
      plain.body.message,
      'no CodeRun in team-a opened https://github.com/acme/payments/pull/31',
      "a pull request's own reason",
    );
  },
);

t.test("a GitHub Enterprise host with a port: the issue's run is still found", async (t) => {
  const enterprise = structuredClone(config);
  enterprise.github.host = 'git.example:8443';
  const { api, deliver } = await endpoint(t, new FakeApi(), enterprise);
  const first = await deliver('issues', 'issues.labeled');
  t.equal(first.status, 201, first.body.message);
  const run = api.objects.get(`${TASKRUNS}/acme-payments-issue-42-1`) as TaskRun;
  t.equal(run.spec.repository?.url, 'https://git.example:8443/acme/payments');
  const again = await deliver('issues', 'issues.labeled', relabelled('2026-11-24T09:00:00Z'));
  t.equal(again.status, 202, again.body.message);
  t.match(again.body.message, 'a run is already working on acme/payments#42');
});

t.test(
  'a submitter RBAC does not allow the run: refused, the why in the answer, not on the issue',
  async (t) => {
    const stranger = webhookConfig({
      repositories: [
        {
          name: 'acme/payments',
          namespace: 'team-a',
          issues: { submitter: 'system:serviceaccount:team-a:other', label: 'orchestrator' },
        },
      ],
    });
    const { api, said, deliver, counted } = await endpoint(t, new FakeApi(), stranger);
    asked.length = 0;
    const refused = await deliver('issues', 'issues.labeled');
    t.equal(refused.status, 422, refused.body.message);
    t.match(
      refused.body.message,
      "the issue's run is refused: system:serviceaccount:team-a:other (repositories[].issues.submitter)",
    );
    t.match(refused.body.message, 'agentprofiles');
    t.match(
      asked[0]?.user,
      {
        username: 'system:serviceaccount:team-a:other',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:team-a', 'system:authenticated'],
      },
      'asked about the submitter, as the apiserver would see the ServiceAccount',
    );
    t.same(api.made('POST'), [], 'nothing created');
    t.match(said, [
      {
        on: 'issue',
        body: /^<!-- orchestrator:issue-refused:[^>]+-->\nNot started: the cluster refused this issue's run/,
      },
    ]);
    t.notMatch(said[0]?.body, /agentprofiles|other/, 'no account or rule said on GitHub');
    t.equal(await counted('rejected'), 1);
  },
);
