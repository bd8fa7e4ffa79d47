// GET /api/v1/budgets and /api/v1/namespaces/{ns}/budgets (budgets.ts): a namespace's budgets for a
// caller RBAC allows to list runs of some kind there, every budget for one allowed at the cluster scope;
// 503 until the caches have synced; every answer in the shape the OpenAPI document gives.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import formats from 'ajv-formats';
import pino from 'pino';
import t, { type Test } from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { ScriptedStreams } from '../../test/harness/fakes/run-streams.js';
import { call, TableReviewer } from '../../test/harness/operator/rest.js';
import { fixedBudgets } from '../../test/harness/rest/budget-reports.js';
import { seedConfig } from '../../test/harness/util/app-configs.js';
import type { BudgetReports, ControllerConfig } from '../api/index.js';
import { BUDGET_LIST_SCHEMA } from './openapi.js';
import { apiApp } from './server.js';

const config: ControllerConfig = {
  ...seedConfig(),
  budgets: [
    { name: 'payments', namespaces: ['team-a'], limitUsd: '100', window: 'month' },
    { name: 'platform', limitUsd: '1000', window: 'week' },
    { name: 'search', namespaces: ['team-b'], limitUsd: '50', window: 'day' },
  ],
};
const runs = [
  {
    metadata: { namespace: 'team-a', name: 'fix' },
    status: { attemptUsage: [{ attempt: 1, finishedAt: '2026-12-02T09:00:00Z', costUsd: '12.5' }] },
  },
];
const checkList = new Ajv({ strict: false });
formats.default(checkList);
const valid = checkList.compile(BUDGET_LIST_SCHEMA);

async function serve(t: Test, budgets: BudgetReports = fixedBudgets(() => config, runs)) {
  const reviewer = new TableReviewer();
  for (const user of ['alice', 'bob', 'carol', 'dave']) reviewer.tokens.set(user, user);
  for (const resource of ['agenttaskruns', 'coderuns', 'docsruns'])
    reviewer.allowed.add(`alice list ${resource} team-a`);
  reviewer.allowed.add('bob list docsruns team-a');
  reviewer.allowed.add('dave list coderuns ');
  const app = apiApp({
    client: new FakeApi(),
    streams: new ScriptedStreams(),
    reviewer,
    config: () => config,
    budgets,
    logger: pino({ level: 'silent' }),
    clock: new ManualClock(new Date('2026-12-03T12:00:00Z')),
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { port: (server.address() as AddressInfo).port };
}

t.test("a namespace's budgets, for a caller who may list its runs of some kind", async (t) => {
  const target = await serve(t);
  for (const token of ['alice', 'bob']) {
    const answer = await call(target, 'GET', '/api/v1/namespaces/team-a/budgets', { token });
    t.equal(answer.status, 200, token);
    t.same(
      answer.body.items.map((b: { name: string }) => b.name),
      ['payments', 'platform'],
      `${token}: the budgets covering team-a`,
    );
    t.ok(valid(answer.body), `the answer is the document's BudgetList: ${JSON.stringify(valid.errors)}`);
  }
  const [payments] = (await call(target, 'GET', '/api/v1/namespaces/team-a/budgets', { token: 'alice' })).body
    .items;
  t.match(payments, {
    limitUsd: '100',
    spentUsd: '12.5',
    start: '2026-12-01T00:00:00.000Z',
    resetsAt: '2027-01-01T00:00:00.000Z',
    source: 'SelfReported',
    namespaces: ['team-a'],
    days: [
      { date: '2026-12-01', spentUsd: '0' },
      { date: '2026-12-02', spentUsd: '12.5' },
      { date: '2026-12-03', spentUsd: '0' },
    ],
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-b/budgets', { token: 'alice' }), {
    status: 403,
    body: {
      kind: 'Status',
      message:
        'User "alice" cannot list resource "agenttaskruns", "coderuns", "docsruns" (any of them) in API group "orchestrator.io" in the namespace "team-b": a budget is shown to those who may list the runs it covers',
    },
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/budgets', { token: 'carol' }), {
    status: 403,
  });
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/budgets'), { status: 401 });
  t.match(await call(target, 'GET', '/api/v1/namespaces/Team_A/budgets', { token: 'alice' }), {
    status: 400,
    body: { message: /namespace: .* is not a namespace name/ },
  });
});

t.test('every budget, for a caller who may list runs in every namespace', async (t) => {
  const target = await serve(t);
  const all = await call(target, 'GET', '/api/v1/budgets', { token: 'dave' });
  t.equal(all.status, 200);
  t.same(
    all.body.items.map((b: { name: string }) => b.name),
    ['payments', 'platform', 'search'],
  );
  t.ok(valid(all.body), JSON.stringify(valid.errors));
  t.match(await call(target, 'GET', '/api/v1/budgets', { token: 'alice' }), {
    status: 403,
    body: { message: /at the cluster scope/ },
  });
});

t.test('503 with Retry-After until the caches the spend comes from have synced', async (t) => {
  let synced = false;
  const reports = fixedBudgets(() => config, runs);
  const target = await serve(t, { synced: () => synced, reports: reports.reports });
  const early = await call(target, 'GET', '/api/v1/namespaces/team-a/budgets', { token: 'alice' });
  t.match(early, { status: 503, body: { message: /still being read/ } });
  t.equal(early.headers['retry-after'], '2');
  synced = true;
  t.match(await call(target, 'GET', '/api/v1/namespaces/team-a/budgets', { token: 'alice' }), {
    status: 200,
  });
});
