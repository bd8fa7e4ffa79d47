import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import pino from 'pino';
import t, { type Test } from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { ScriptedStreams } from '../../test/harness/fakes/run-streams.js';
import { sampleTaskRun } from '../../test/harness/operator/operator.js';
import { call, openEvents, TableReviewer, type Target } from '../../test/harness/operator/rest.js';
import { fixedBudgets } from '../../test/harness/rest/budget-reports.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { KEPT_LOG_KEY } from '../runs/index.js';
import type { KubeObject } from '../runtime/index.js';
import { CONSOLE_CSP } from './console.js';
import { type ApiAppOptions, apiApp } from './server.js';

// An install naming its Apps (the seed's): sampleTaskRun acts as rex's.
const config = seedConfig();
const TASKRUNS = '/apis/orchestrator.io/v1/namespaces/team-a/agenttaskruns';

async function serve(t: Test, change: Partial<ApiAppOptions> = {}) {
  const api = new FakeApi();
  const reviewer = new TableReviewer();
  reviewer.tokens.set('alice-token', 'alice');
  for (const verb of ['create', 'get', 'list', 'patch'])
    for (const resource of ['agenttaskruns', 'coderuns', 'docsruns'])
      reviewer.allowed.add(`alice ${verb} ${resource} team-a`);
  // Every agent profile and repository (a Role rule without resourceNames): the runs here use rex's App.
  for (const resource of ['agentprofiles', 'repositories'])
    reviewer.allowed.add(`alice use ${resource} team-a`);
  const watcher = new ScriptedStreams();
  const app = apiApp({
    client: api,
    streams: watcher,
    reviewer,
    config: () => config,
    budgets: fixedBudgets(() => config),
    logger: pino({ level: 'silent' }),
    ...change,
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const target: Target = { port: (server.address() as AddressInfo).port };
  return { api, reviewer, target, watcher };
}

const alice = { token: 'alice-token' };

t.test('health and the OpenAPI document need no token', async (t) => {
  const { target } = await serve(t);
  for (const path of ['/health', '/healthz'])
    t.match(await call(target, 'GET', path), { status: 200, body: 'ok' });
  t.match(await call(target, 'GET', '/openapi.json'), { status: 200, body: { openapi: '3.0.3' } });
});

t.test(
  'the console: its files without a token, under the strict policy; nothing else under /console/',
  async (t) => {
    const { api, target } = await serve(t);
    const page = await call(target, 'GET', '/console/');
    t.match(page, { status: 200, headers: { 'content-type': 'text/html; charset=utf-8' } });
    t.equal(page.headers['content-security-policy'], CONSOLE_CSP);
    t.equal(page.headers['x-content-type-options'], 'nosniff');
    t.match(page.body, '<script type="module" src="app.js"></script>');
    t.match(await call(target, 'GET', '/console/app.js'), {
      status: 200,
      headers: { 'content-type': 'text/javascript; charset=utf-8' },
    });
    t.match(await call(target, 'GET', '/console'), { status: 302, headers: { location: '/console/' } });
    const etag = page.headers.etag as string;
    t.match(await call(target, 'GET', '/console/', { headers: { 'if-none-match': etag } }), { status: 304 });
    for (const path of ['/console/..%2Fpackage.json', '/console/missing.js', '/console/%2e%2e/package.json'])
      t.match(await call(target, 'GET', path), { status: 404 }, path);
    t.same(api.calls, [], 'no call to the apiserver');
  },
);

t.test("a browser's write from another site is refused before its token is checked", async (t) => {
  const { api, reviewer, target } = await serve(t);
  reviewer.allowed.add('alice patch agenttaskruns team-a');
  const cancel = '/api/v1/namespaces/team-a/agenttaskruns/r1/cancel';
  for (const site of ['cross-site', 'same-site'])
    t.match(await call(target, 'POST', cancel, { ...alice, headers: { 'sec-fetch-site': site } }), {
      status: 403,
      body: {
        message: `POST from another site refused (Sec-Fetch-Site: ${site}): only the console's own pages may write from a browser`,
      },
    });
  t.same(api.calls, [], 'nothing asked of the apiserver');
  t.match(
    await call(target, 'GET', '/api/v1/whoami', { ...alice, headers: { 'sec-fetch-site': 'cross-site' } }),
    {
      status: 200,
    },
  );
  t.match(await call(target, 'POST', cancel, { ...alice, headers: { 'sec-fetch-site': 'same-origin' } }), {
    status: 404,
  });
});

t.test('whoami: the token as the TokenReview saw it; without one, 401', async (t) => {
  const { target } = await serve(t);
  t.match(await call(target, 'GET', '/api/v1/whoami', alice), {
    status: 200,
    body: { username: 'alice', groups: [] },
  });
  t.match(await call(target, 'GET', '/api/v1/whoami'), { status: 401 });
});

t.test('a PM task: 201, the TaskRun created as the manager, naming its submitter', async (t) => {
  const { api, target } = await serve(t);
  const answer = await call(target, 'POST', '/api/v1/pm/tasks?namespace=team-a', {
    ...alice,
    body: {
      metadata: { annotations: { 'orchestrator.io/submitted-by': 'mallory' } },
      spec: sampleTaskRun('x').spec,
    },
  });
  t.equal(answer.status, 201, JSON.stringify(answer.body));
  const sent = api.made('POST', TASKRUNS)[0]?.body;
  t.match(sent, {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: {
      namespace: 'team-a',
      generateName: 'payments-task-7-',
      annotations: { 'orchestrator.io/submitted-by': 'alice' },
    },
  });
});

t.test('401, 403, 404, 405: in the Status shape', async (t) => {
  const { target } = await serve(t);
  const body = sampleTaskRun('x');
  t.match(await call(target, 'POST', '/api/v1/pm/tasks', { body }), {
    status: 401,
    headers: { 'www-authenticate': /Bearer/ },
    body: { kind: 'Status', code: 401, reason: 'Unauthorized' },
  });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks', { token: 'wrong', body }), { status: 401 });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks?namespace=team-b', { ...alice, body }), {
    status: 403,
    body: {
      reason: 'Forbidden',
      message:
        'User "alice" cannot create resource "agenttaskruns" in API group "orchestrator.io" in the namespace "team-b"',
    },
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/widgets', alice), {
    status: 404,
    body: { reason: 'NotFound' },
  });
  t.match(await call(target, 'GET', '/nothing-here'), { status: 404, body: { kind: 'Status' } });
  t.match(await call(target, 'PUT', '/api/v1/namespaces/team-a/agenttaskruns/x', alice), {
    status: 405,
    body: { kind: 'Status', code: 405 },
  });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks?namespace=NOT_A_NAME', { ...alice, body }), {
    status: 400,
    body: { message: /not a namespace name/ },
  });
});

t.test('422: the admission findings, with the fields admission names; nothing sent', async (t) => {
  const { api, target } = await serve(t);
  const bad = sampleTaskRun('bad', 7, {
    markdownFiles: [
      { filename: 'a.md', content: '' },
      { filename: 'a.md', content: '' },
    ],
    agent: 'bob',
  });
  const { taskId: _gone, ...spec } = bad.spec;
  const answer = await call(target, 'POST', '/api/v1/namespaces/team-a/agenttaskruns', {
    ...alice,
    body: { ...bad, spec },
  });
  t.equal(answer.status, 422);
  t.match(answer.body, { kind: 'Status', reason: 'Invalid', details: { name: 'bad', kind: 'TaskRun' } });
  const fields = answer.body.details.causes.map((c: { field: string }) => c.field);
  t.ok(fields.includes('spec.taskId'), fields.join());
  t.ok(fields.includes('spec.markdownFiles[1].filename'), fields.join());
  t.ok(fields.includes('spec.agent'), fields.join());
  t.same(api.made('POST'), []);
  t.match(
    await call(target, 'POST', '/api/v1/pm/tasks?namespace=team-a', {
      ...alice,
      body: { ...bad, kind: 'CodeRun' },
    }),
    {
      status: 400,
      body: { message: /kind: this endpoint creates a TaskRun/ },
    },
  );
});

t.test('bodies: size limit 413, not JSON 415, malformed 400', async (t) => {
  const { target } = await serve(t, { bodyLimitBytes: 2048 });
  const big = sampleTaskRun('big', 7, { markdownFiles: [{ filename: 'a.md', content: 'x'.repeat(4096) }] });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks', { ...alice, body: big }), {
    status: 413,
    body: { reason: 'RequestEntityTooLarge' },
  });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks', { ...alice, raw: 'a', contentType: 'text/plain' }), {
    status: 415,
  });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks', { ...alice, raw: '{' }), {
    status: 400,
    body: { reason: 'BadRequest' },
  });
  t.match(await call(target, 'POST', '/api/v1/pm/tasks?namespace=team-a', { ...alice, raw: '[]' }), {
    status: 400,
  });
});

t.test('list, get, retry; DocsRuns cannot be retried', async (t) => {
  const { api, target } = await serve(t);
  // Alice's own run: retrying it needs her patch, not the retry verb another user would need.
  const one = sampleTaskRun('one');
  api.seed(TASKRUNS, {
    ...one,
    metadata: { ...one.metadata, annotations: { 'orchestrator.io/submitted-by': 'alice' } },
    spec: { ...one.spec, retryAttempt: 1 },
    status: { attempt: 2 },
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/agenttaskruns/one', alice), {
    status: 200,
    body: { status: { attempt: 2 } },
  });
  t.match(
    await call(target, 'GET', '/api/v1/namespaces/team-a/agenttaskruns?labelSelector=a%3Db&other=x', alice),
    { status: 200 },
  );
  t.same(api.made('GET', TASKRUNS)[0]?.query, { labelSelector: 'a=b' }, 'only list parameters passed on');
  t.match(await call(target, 'POST', '/api/v1/namespaces/team-a/agenttaskruns/one/retry', alice), {
    status: 200,
  });
  t.match(
    api.made('PATCH', `${TASKRUNS}/one`)[0]?.body,
    { spec: { retryAttempt: 3 } },
    'past every attempt run',
  );
  t.match(await call(target, 'POST', '/api/v1/namespaces/team-a/docsruns/d/retry', alice), {
    status: 400,
    body: { message: /DocsRuns cannot be retried/ },
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/agenttaskruns/missing', alice), {
    status: 404,
    body: { reason: 'NotFound' },
  });
  t.match(
    await call(target, 'GET', '/api/v1/agenttaskruns', alice),
    { status: 403 },
    'across namespaces needs a cluster-wide grant',
  );
});

t.test('409 from the apiserver is passed on; an unreachable apiserver is 503', async (t) => {
  const { api, target } = await serve(t);
  const body = sampleTaskRun('taken');
  api.failNext(
    'POST',
    TASKRUNS,
    apiError(409, 'AlreadyExists', 'agenttaskruns.orchestrator.io "taken" already exists'),
  );
  t.match(await call(target, 'POST', '/api/v1/namespaces/team-a/agenttaskruns', { ...alice, body }), {
    status: 409,
    body: { reason: 'AlreadyExists' },
  });
  api.failNext(
    'POST',
    TASKRUNS,
    Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) as never,
  );
  t.match(await call(target, 'POST', '/api/v1/namespaces/team-a/agenttaskruns', { ...alice, body }), {
    status: 503,
    headers: { 'retry-after': '1' },
    body: { reason: 'ServiceUnavailable' },
  });
});

t.test("429 past the caller's rate, with Retry-After; other callers unaffected", async (t) => {
  const { reviewer, target } = await serve(t, {
    rateLimit: { requestsPerSecond: 0.01, burst: 2 },
    clock: new ManualClock(),
  });
  reviewer.tokens.set('bob-token', 'bob');
  const get = (token: string) => call(target, 'GET', '/api/v1/namespaces/team-a/agenttaskruns', { token });
  await get('alice-token');
  await get('alice-token');
  t.match(await get('alice-token'), {
    status: 429,
    headers: { 'retry-after': '100' },
    body: { reason: 'TooManyRequests' },
  });
  t.match(await get('bob-token'), { status: 403 }, 'bob has his own bucket (and no grant)');
});

t.test('extra routers are served on the same server, before the API', async (t) => {
  const { default: Router } = await import('@koa/router');
  const webhook = new Router();
  webhook.post('/webhook/github', (ctx) => {
    ctx.body = { received: true };
  });
  const { target } = await serve(t, { routers: [webhook] });
  t.match(await call(target, 'POST', '/webhook/github', { body: {} }), {
    status: 200,
    body: { received: true },
  });
});

t.test('?watch=true: the runs’ changes as server-sent events, for a caller allowed watch', async (t) => {
  const { reviewer, target, watcher } = await serve(t, { watchLimits: { heartbeatMs: 60_000 } });
  const path = '/api/v1/namespaces/team-a/agenttaskruns?watch=true&labelSelector=app%3Dx';
  const refused = await openEvents(target, path, alice);
  t.match(refused, {
    status: 403,
    body: { kind: 'Status', message: /cannot watch resource "agenttaskruns"/ },
  });
  t.same(watcher.watches, [], 'no watch made for a caller RBAC refuses');

  reviewer.allowed.add('alice watch agenttaskruns team-a');
  const opened = watcher.next();
  const stream = await openEvents(target, path, alice);
  t.equal(stream.status, 200);
  t.match(stream.headers, { 'content-type': /^text\/event-stream/, 'cache-control': 'no-store' });
  const watch = await opened;
  t.equal(watch.path, TASKRUNS, "the apiserver's list path");
  t.same(
    watch.query,
    { timeoutSeconds: 300, labelSelector: 'app=x' },
    'selectors passed on, a bounded watch',
  );
  const run = {
    ...sampleTaskRun('r1'),
    metadata: { name: 'r1', namespace: 'team-a', resourceVersion: '41' },
  };
  watch.send({ type: 'ADDED', object: run });
  watch.send({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '42' } } });
  watch.send({ type: 'MODIFIED', object: { ...run, metadata: { ...run.metadata, resourceVersion: '43' } } });
  t.match(await stream.next(), { id: '41', event: 'ADDED', data: { metadata: { name: 'r1' } } });
  t.match(await stream.next(), { id: '43', event: 'MODIFIED' }, 'bookmarks are not passed on');
  watch.end();
  t.equal(await stream.next(), undefined, 'the stream ends with the watch: the client resumes');
});

t.test(
  'a watch resumes from Last-Event-ID, one run by name; bad versions and stale ones refused',
  async (t) => {
    const { reviewer, target, watcher } = await serve(t);
    reviewer.allowed.add('alice watch agenttaskruns team-a');
    const opened = watcher.next();
    const stream = await openEvents(target, '/api/v1/namespaces/team-a/agenttaskruns/r1?watch=1', {
      ...alice,
      lastEventId: '43',
    });
    t.same((await opened).query, {
      timeoutSeconds: 300,
      fieldSelector: 'metadata.name=r1',
      resourceVersion: '43',
    });
    stream.close();
    t.match(
      await openEvents(target, '/api/v1/namespaces/team-a/agenttaskruns?watch=true', {
        ...alice,
        lastEventId: '4x',
      }),
      { status: 400, body: { message: /resourceVersion: "4x" is not a resourceVersion/ } },
    );
    t.match(
      await openEvents(
        target,
        '/api/v1/namespaces/team-a/agenttaskruns/r1,metadata.name!%3Dx?watch=true',
        alice,
      ),
      { status: 400, body: { message: /name: "r1,metadata.name!=x" is not a run's name/ } },
      'a name cannot add to the selector',
    );
    watcher.refuseWith = apiError(410, 'Expired', 'too old resource version: 43 (9000)');
    t.match(await openEvents(target, '/api/v1/namespaces/team-a/agenttaskruns?watch=true', alice), {
      status: 410,
      body: { kind: 'Status', code: 410, message: /too old resource version/ },
    });
  },
);

t.test('watches are held to 4 per caller: a fifth is 429; a caller leaving frees its slot', async (t) => {
  const { reviewer, target, watcher } = await serve(t);
  reviewer.allowed.add('alice watch agenttaskruns team-a');
  const path = '/api/v1/namespaces/team-a/agenttaskruns?watch=true';
  const streams = [];
  for (let i = 0; i < 4; i++) {
    const opened = watcher.next();
    streams.push(await openEvents(target, path, alice));
    await opened;
  }
  t.match(await openEvents(target, path, alice), {
    status: 429,
    headers: { 'retry-after': '5' },
    body: { message: /has 4 watches open/ },
  });
  streams[0]?.close();
  await waitFor('the apiserver watch of the caller that left to be ended', async () =>
    watcher.watches[0]?.aborted(),
  );
  const again = await openEvents(target, path, alice);
  t.equal(again.status, 200, 'a slot freed');
  for (const s of [...streams, again]) s.close();
});

t.test(
  'cancel and delete: the manager patches spec.cancelled or deletes, for a caller RBAC allows',
  async (t) => {
    const { api, reviewer, target } = await serve(t);
    const r1 = sampleTaskRun('r1');
    api.seed(TASKRUNS, {
      ...r1,
      metadata: { ...r1.metadata, annotations: { 'orchestrator.io/submitted-by': 'alice' } },
    });
    const item = '/api/v1/namespaces/team-a/agenttaskruns/r1';
    t.equal((await call(target, 'POST', `${item}/cancel`, alice)).status, 200);
    t.match(
      api.made('PATCH', `${TASKRUNS}/r1`)[0]?.body,
      { spec: { cancelled: true } },
      'her own run: her patch is enough',
    );
    t.match(await call(target, 'DELETE', item, alice), { status: 403, body: { message: /cannot delete/ } });
    t.same(api.made('DELETE'), [], 'nothing deleted for a caller RBAC refuses');
    reviewer.allowed.add('alice delete agenttaskruns team-a');
    t.equal((await call(target, 'DELETE', item, alice)).status, 200);
    t.equal(api.made('DELETE', `${TASKRUNS}/r1`).length, 1, 'deleted as the manager');
  },
);

t.test(
  'a run’s log: its attempt’s pod found as `orchestrator logs` finds it, for a caller allowed pods/log',
  async (t) => {
    const { api, reviewer, target, watcher: streams } = await serve(t);
    const r1 = sampleTaskRun('r1');
    const run = {
      ...r1,
      metadata: { ...r1.metadata, namespace: 'team-a', uid: 'run-uid' },
      status: { phase: 'Running', attempt: 1, jobName: 'r1-job' },
    };
    api.seed(TASKRUNS, run as KubeObject);
    const owner = (kind: string, name: string, uid: string) => [
      { apiVersion: 'v1', kind, name, uid, controller: true },
    ];
    api.seed('/apis/batch/v1/namespaces/team-a/jobs', {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: {
        name: 'r1-job',
        namespace: 'team-a',
        uid: 'job-uid',
        ownerReferences: owner('TaskRun', 'r1', 'run-uid'),
      },
    });
    api.seed('/api/v1/namespaces/team-a/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'r1-job-abcde',
        namespace: 'team-a',
        uid: 'pod-uid',
        creationTimestamp: '2026-11-30T06:00:00Z',
        labels: { 'batch.kubernetes.io/controller-uid': 'job-uid' },
        ownerReferences: owner('Job', 'r1-job', 'job-uid'),
      },
      status: { containerStatuses: [{ name: 'agent', state: { running: {} } }] },
    } as KubeObject);
    const log = '/api/v1/namespaces/team-a/pods/r1-job-abcde/log';
    streams.logs.set(log, 'cloning…\nthe agent starts\n');
    const path = '/api/v1/namespaces/team-a/agenttaskruns/r1/log';
    t.match(await call(target, 'GET', `${path}?tailLines=5`, alice), {
      status: 403,
      body: { message: /cannot get resource "pods\/log"/ },
    });
    reviewer.allowed.add('alice get pods team-a');
    const read = await call(target, 'GET', `${path}?tailLines=5`, alice);
    t.match(read, {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'cloning…\nthe agent starts\n',
    });
    t.same(streams.logReads[0], {
      path: log,
      query: { container: 'agent', limitBytes: 16 * 1024 * 1024, tailLines: 5 },
    });
    t.match(await call(target, 'GET', `${path}?attempt=2`, alice), {
      status: 404,
      body: { message: /is at attempt 1: it has no attempt 2/ },
    });
    t.match(await call(target, 'GET', `${path}?container=prepare`, alice), {
      status: 503,
      headers: { 'retry-after': '2' },
      body: { message: /the prepare-workspace container of pod r1-job-abcde \(attempt 1\) has not started/ },
    });
    t.match(await call(target, 'GET', `${path}?tailLines=-1`, alice), {
      status: 400,
      body: { message: 'tailLines: "-1" is not a whole number of at least 0' },
    });

    // The Job gone (its TTL): the log the operator kept, cut to the same window; a kept log that is not
    // the ConfigMap status names is no log.
    api.objects.delete('/apis/batch/v1/namespaces/team-a/jobs/r1-job');
    const kept =
      '2026-11-30T06:00:01Z cloning…\n2026-11-30T06:00:02Z the agent starts\n2026-11-30T06:09:00Z done\n';
    const cms = '/api/v1/namespaces/team-a/configmaps';
    api.seed(cms, {
      metadata: { name: 'r1-job-log-agent', uid: 'cm-uid' },
      binaryData: { [KEPT_LOG_KEY]: gzipSync(kept).toString('base64') },
    } as KubeObject);
    const entry = {
      attempt: 1,
      container: 'agent',
      configMap: 'r1-job-log-agent',
      uid: 'cm-uid',
      bytes: 90,
      keptBytes: 90,
    };
    api.seed(TASKRUNS, {
      ...run,
      status: { ...run.status, phase: 'Succeeded', logs: [entry] },
    } as KubeObject);
    t.match(await call(target, 'GET', `${path}?tailLines=2&follow=true`, alice), {
      status: 200,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'the agent starts\ndone\n',
    });
    t.equal(streams.logReads.length, 1, 'no pod read');
    api.seed(cms, {
      metadata: { name: 'r1-job-log-agent', uid: 'someone-elses' },
      binaryData: {},
    } as KubeObject);
    t.match(await call(target, 'GET', path, alice), {
      status: 404,
      body: {
        message:
          /the Job of attempt 1, r1-job, is gone .*; the kept log of attempt 1's agent container is gone: ConfigMap r1-job-log-agent is not the one the operator wrote/,
      },
    });
  },
);
