// The endpoint on a koa app of its own, against the in-memory API: who may talk to it (signature, no
// secret, body cap), what it answers, and what it creates.

import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import pino from 'pino';
import t from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { previousCodeRun, TEAM_A_CODERUNS, webhookConfig } from '../../test/harness/fakes/remediated-run.js';
import { githubPayload, postDelivery } from '../../test/harness/remote/github.js';
import { type CodeRun, LABELS } from '../api/index.js';
import { RequestTimeoutError } from '../runtime/index.js';
import { githubWebhookRouter } from './router.js';

const SECRET = 'It5-a-s3cret';
const CODERUNS = TEAM_A_CODERUNS;
const config = webhookConfig();

const previous = (name: string, spec: Partial<CodeRun['spec']> = {}, status: CodeRun['status'] = {}) =>
  previousCodeRun(config, { name, spec, status });

async function endpoint(
  t: { teardown(fn: () => unknown): void },
  opts: { secrets?: string[]; api?: FakeApi; bodyLimitBytes?: number } = {},
) {
  const api = opts.api ?? new FakeApi();
  const router = githubWebhookRouter({
    api,
    // GitHub's answer, in memory: the fixtures' octocat may write (router-permission.test.ts: who may not).
    permissions: { standing: async (q) => (q.login === 'octocat' ? 'write' : 'none') },
    config: () => config,
    secrets: () => opts.secrets ?? [SECRET],
    logger: pino({ level: 'silent' }),
    ...(opts.bodyLimitBytes ? { bodyLimitBytes: opts.bodyLimitBytes } : {}),
  });
  const app = new Koa();
  app.use(router.routes()).use(router.allowedMethods());
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/github`;
  return { api, url };
}

const comment = () =>
  JSON.stringify(githubPayload('issue_comment.pull_request', (p) => p.issue.labels.push({ name: 'task-7' })));

t.test(
  'a signed comment on a task pull request creates the remediation run; a replay under any delivery id nothing',
  async (t) => {
    const api = new FakeApi();
    api.seed(
      CODERUNS,
      previous(
        'payments-task-7-rex-v2',
        {},
        { sessionId: 'sess-41', pullRequestUrl: 'https://github.com/acme/payments/pull/12' },
      ),
    );
    api.seed(CODERUNS, {
      ...previous('payments-task-7-old', { contextVersion: 1 }),
      metadata: {
        ...previous('x').metadata,
        name: 'payments-task-7-old',
        creationTimestamp: '2026-11-19T10:00:00Z',
      },
    });
    const { url } = await endpoint(t, { api });
    const id = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
    const first = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment(), id });
    t.equal(first.status, 201, first.body.message);
    // Named from the signed payload (the comment's id), not from the delivery header.
    const name = 'github-comment-1466357331';
    t.same(first.body.run, { namespace: 'team-a', name });
    const run = api.objects.get(`${CODERUNS}/${name}`) as CodeRun;
    t.match(run.spec, {
      taskId: 7,
      service: 'payments',
      githubApp: '5DLabs-Rex',
      contextVersion: 3,
      continueSession: true,
      overwriteMemory: false,
      remediation: {
        trigger: 'comment',
        feedback: 'The retry loop never stops on a declined card: stop after a 402.',
        author: 'octocat',
        url: 'https://github.com/acme/payments/pull/12#issuecomment-1466357331',
        pullRequestUrl: 'https://github.com/acme/payments/pull/12',
        sessionId: 'sess-41',
      },
    });
    t.match(run.metadata?.labels, {
      [LABELS.taskId]: '7',
      [LABELS.service]: 'payments',
      [LABELS.agent]: 'rex',
    });
    t.match(run.metadata?.annotations, {
      'orchestrator.io/github-delivery': id,
      'orchestrator.io/github-event': 'issue_comment',
      'orchestrator.io/continues': 'payments-task-7-rex-v2',
    });
    for (const replay of [
      id,
      'f00dfeed-0000-4000-8000-000000000001',
      'ci-ec26c3e57ca3a959ca5aad62de7213c562f8c821',
    ]) {
      const again = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment(), id: replay });
      t.equal(again.status, 200, again.body.message);
      t.equal(again.body.message, `already done: CodeRun team-a/${name} exists (a redelivery)`, replay);
    }
    t.equal(api.made('POST').length, 4, 'each replay tried, and the name was taken');
    t.equal([...api.objects.keys()].filter((k) => k.includes('/github-')).length, 1, 'one run');
  },
);

t.test('a comment without a task label finds the task by the run that opened the pull request', async (t) => {
  const api = new FakeApi();
  api.seed(
    CODERUNS,
    previous('payments-task-7-rex', {}, { pullRequestUrl: 'https://github.com/acme/payments/pull/12' }),
  );
  const { url } = await endpoint(t, { api });
  const body = JSON.stringify(githubPayload('issue_comment.pull_request'));
  const res = await postDelivery(url, SECRET, { event: 'issue_comment', body });
  t.equal(res.status, 201, res.body.message);
  t.match(api.made('GET')[0]?.query, { labelSelector: 'app.kubernetes.io/managed-by=orchestrator' });
  const other = JSON.stringify(
    githubPayload(
      'issue_comment.pull_request',
      (p) => (p.issue.pull_request.html_url = 'https://github.com/acme/payments/pull/99'),
    ),
  );
  const none = await postDelivery(url, SECRET, { event: 'issue_comment', body: other });
  t.equal(none.status, 202);
  t.match(
    none.body.message,
    /ignored: no CodeRun in team-a opened https:\/\/github\.com\/acme\/payments\/pull\/99/,
  );
});

t.test('CI failures of one commit share one run', async (t) => {
  const api = new FakeApi();
  api.seed(CODERUNS, previous('payments-task-7-rex'));
  const { url } = await endpoint(t, { api });
  // Re-requested by a writer: a check run's payload names its sender, not who pushed.
  const check = await postDelivery(url, SECRET, {
    event: 'check_run',
    body: JSON.stringify(githubPayload('check_run.failure', (p) => (p.sender.login = 'octocat'))),
  });
  t.equal(check.status, 201, check.body.message);
  t.equal(check.body.run?.name, 'github-ci-ec26c3e57ca3a959ca5aad62de7213c562f8c821');
  const workflow = await postDelivery(url, SECRET, {
    event: 'workflow_run',
    body: JSON.stringify(githubPayload('workflow_run.failure')),
  });
  t.equal(workflow.status, 200, 'the same commit: already done');
  const run = api.objects.get(`${CODERUNS}/${check.body.run?.name}`) as CodeRun;
  t.match(run.spec.remediation, {
    trigger: 'ci-failure',
    author: 'github-actions',
    feedback: /^The check "test \(20\.x\)" failed/,
  });
});

t.test(
  'nothing to continue, nothing asked for, another repository: 202 with the reason, nothing created',
  async (t) => {
    const { api, url } = await endpoint(t);
    const none = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment() });
    t.equal(none.status, 202);
    t.match(none.body.message, /no CodeRun of task 7 on acme\/payments in namespace team-a to continue/);
    const push = await postDelivery(url, SECRET, { event: 'push', body: '{"ref":"refs/heads/main"}' });
    t.match(push, { status: 202, body: { message: /the push event is not in githubWebhook\.events/ } });
    const elsewhere = JSON.stringify(
      githubPayload('issue_comment.pull_request', (p) => (p.repository.full_name = 'acme/other')),
    );
    t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body: elsewhere }), {
      status: 202,
      body: { message: /acme\/other is not configured/ },
    });
    t.match(await postDelivery(url, SECRET, { event: 'ping', body: JSON.stringify(githubPayload('ping')) }), {
      status: 200,
      body: { message: 'pong' },
    });
    t.equal(api.made('POST').length, 0);
  },
);

t.test(
  'signatures: wrong, missing, malformed are 401; the previous secret during rotation is accepted',
  async (t) => {
    const { api, url } = await endpoint(t, { secrets: [SECRET, 'previous'] });
    const body = comment();
    const { sign } = await import('@octokit/webhooks-methods');
    t.match(
      await postDelivery(url, SECRET, { event: 'issue_comment', body, signature: await sign('wrong', body) }),
      {
        status: 401,
        body: { message: /does not match/ },
      },
    );
    t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body, signature: '' }), {
      status: 401,
      body: { message: /no X-Hub-Signature-256/ },
    });
    t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body, signature: 'sha1=abc' }), {
      status: 401,
    });
    t.equal(api.calls.length, 0, 'an unsigned delivery reaches nothing');
    const rotated = await postDelivery(url, 'previous', { event: 'issue_comment', body });
    t.equal(rotated.status, 202, 'signed with the previous secret: processed');
  },
);

t.test('headers and JSON: 400; another content type: 415', async (t) => {
  const { url } = await endpoint(t);
  t.match(await postDelivery(url, SECRET, { event: '', body: comment() }), {
    status: 400,
    body: { message: /X-GitHub-Event/ },
  });
  t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body: '{"not json' }), {
    status: 400,
    body: { message: /invalid JSON/ },
  });
  t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body: comment(), id: 'x'.repeat(201) }), {
    status: 400,
  });
  const form = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'payload=%7B%7D',
  });
  t.equal(form.status, 415);
  t.match(await form.json(), { message: /content type must be application\/json/ });
});

/** A raw POST that sends `declared` as Content-Length (or chunked) and up to `send` bytes; resolves to the status. */
/** A POST of `send` spaces (Content-Length `declared`, else chunked), with a signature of the right form. */
function rawPost(
  url: string,
  send: number,
  declared?: number,
  signature = `sha256=${'0'.repeat(64)}`,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'ping',
        'x-github-delivery': 'd',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
        ...(declared === undefined ? {} : { 'content-length': declared }),
      },
    });
    req.once('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    // The server may answer and close before all is written: that is the point.
    req.once('error', (err) =>
      err.message.includes('EPIPE') || err.message.includes('ECONNRESET') ? undefined : reject(err),
    );
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    let sent = 0;
    const pump = () => {
      while (sent < send) {
        const n = Math.min(chunk.length, send - sent);
        sent += n;
        if (!req.write(chunk.subarray(0, n))) return void req.once('drain', pump);
      }
      req.end();
    };
    pump();
  });
}

t.test('the body cap: 413 from Content-Length without reading, and while streaming', async (t) => {
  const { api, url } = await endpoint(t, { bodyLimitBytes: 1024 * 1024 });
  t.equal(await rawPost(url, 4096, 2 * 1024 * 1024), 413, 'declared too large');
  t.equal(await rawPost(url, 2 * 1024 * 1024), 413, 'chunked past the cap');
  t.equal(await rawPost(url, 1000), 401, 'under the cap: read, then refused for its wrong signature');
  t.equal(await rawPost(url, 2 * 1024 * 1024, undefined, ''), 401, 'no signature: refused before the body');
  t.equal(api.calls.length, 0);
});

t.test('no secret configured: 404 without reading the body or touching the API', async (t) => {
  const { api, url } = await endpoint(t, { secrets: [] });
  const res = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment() });
  t.equal(res.status, 404);
  t.match(res.body.message, /no secret is configured \(githubWebhook\.secretFiles\)/);
  t.equal(await rawPost(url, 3 * 1024 * 1024, 3 * 1024 * 1024), 404, 'a large body is not read either');
  t.equal(api.calls.length, 0);
});

t.test('the apiserver: unreachable or timing out is 503, a refused run 422, never 500', async (t) => {
  const api = new FakeApi();
  api.seed(CODERUNS, previous('payments-task-7-rex'));
  const { url } = await endpoint(t, { api });
  api.failNext('GET', CODERUNS, new RequestTimeoutError('GET coderuns', 5000) as never);
  const slow = await postDelivery(url, SECRET, { event: 'issue_comment', body: comment() });
  t.equal(slow.status, 503);
  t.match(slow.body.message, /the Kubernetes API is unavailable: GET coderuns: no answer within 5000 ms/);
  api.failNext('POST', CODERUNS, apiError(422, 'Invalid', 'admission webhook denied the request'));
  t.match(await postDelivery(url, SECRET, { event: 'issue_comment', body: comment() }), {
    status: 422,
    body: { message: /the apiserver refused the remediation run/ },
  });
  api.failNext('POST', CODERUNS, apiError(500));
  t.equal((await postDelivery(url, SECRET, { event: 'issue_comment', body: comment() })).status, 503);
});
