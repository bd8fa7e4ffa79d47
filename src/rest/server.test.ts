import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import t, { type Test } from 'tap';
import { apiError, FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { sampleTaskRun } from '../../test/harness/operator/operator.js';
import { call, TableReviewer, type Target } from '../../test/harness/operator/rest.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
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
  const app = apiApp({
    client: api,
    reviewer,
    config: () => config,
    logger: pino({ level: 'silent' }),
    ...change,
  });
  const server: Server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const target: Target = { port: (server.address() as AddressInfo).port };
  return { api, reviewer, target };
}

const alice = { token: 'alice-token' };

t.test('health and the OpenAPI document need no token', async (t) => {
  const { target } = await serve(t);
  for (const path of ['/health', '/healthz'])
    t.match(await call(target, 'GET', path), { status: 200, body: 'ok' });
  t.match(await call(target, 'GET', '/openapi.json'), { status: 200, body: { openapi: '3.0.3' } });
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
  t.match(await call(target, 'DELETE', '/api/v1/namespaces/team-a/agenttaskruns/x', alice), {
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
