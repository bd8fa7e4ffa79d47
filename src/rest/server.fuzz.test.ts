// Fuzzing the REST API as the webhook server is fuzzed (test/fuzz): random mutations of valid runs
// (values of any JSON type and adversarial ones: deep nesting, huge strings, prototype names) on every
// create endpoint, and random methods and paths. Contract: no 5xx for a client's error, every error a
// Status, and nothing created unless the answer is 201.
//
// Reproduce a failure with the seed it prints: FUZZ_SEED=<seed> npx tap src/rest/server.fuzz.test.ts
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import pino from 'pino';
import t from 'tap';
import { encode, SPECIAL } from '../../test/fuzz/bodies.js';
import { type Json, type Path, paths, review, setAt } from '../../test/fuzz/reviews.js';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { ScriptedStreams } from '../../test/harness/fakes/run-streams.js';
import { call, TableReviewer } from '../../test/harness/operator/rest.js';
import { fixedBudgets } from '../../test/harness/rest/budget-reports.js';
import { kindFacts, RUN_KIND_NAMES } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { apiApp } from './server.js';

/** The last contract broken (fast-check's report names the input, not the error). */
let seen = '';

const seed = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
t.comment(`fuzz seed ${seed} (reproduce with FUZZ_SEED=${seed})`);

const api = new FakeApi();
const reviewer = new TableReviewer();
reviewer.tokens.set('fuzz', 'fuzzer');
for (const verb of ['create', 'get', 'list', 'patch'])
  for (const kind of RUN_KIND_NAMES) reviewer.allowed.add(`fuzzer ${verb} ${kindFacts(kind).plural} fuzz`);
const app = apiApp({
  client: api,
  streams: new ScriptedStreams(),
  reviewer,
  config: () => loadDefaultConfig(),
  budgets: fixedBudgets(loadDefaultConfig),
  logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  rateLimit: { requestsPerSecond: 1e4, burst: 1e5 },
});
const server = createServer(app.callback());
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
const target = { port: (server.address() as AddressInfo).port };

const ENDPOINTS = [
  { kind: 'TaskRun', path: '/api/v1/pm/tasks?namespace=fuzz' },
  { kind: 'DocsRun', path: '/api/v1/pm/docs/generate?namespace=fuzz' },
  ...RUN_KIND_NAMES.map((kind) => ({ kind, path: `/api/v1/namespaces/fuzz/${kindFacts(kind).plural}` })),
] as const;

/** What is wrong with an answer, if anything. */
function problem(answer: { status: number; body: Json }, created: boolean): string | undefined {
  if (answer.status >= 500) return `${answer.status}: ${JSON.stringify(answer.body).slice(0, 500)}`;
  if (answer.status >= 400 && answer.body?.kind !== 'Status') return `${answer.status} without a Status`;
  if (created !== (answer.status === 201)) return `${answer.status}, but created: ${created}`;
  return undefined;
}

t.test(`random mutations of valid runs (fast-check, seed ${seed})`, async (t) => {
  const value = fc.oneof(
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
    { arbitrary: fc.constantFrom(...SPECIAL), weight: 2 },
  );
  const scenario = fc.record({
    endpoint: fc.nat(ENDPOINTS.length - 1),
    mutations: fc.array(fc.record({ at: fc.nat(), remove: fc.nat(5), value }), {
      minLength: 1,
      maxLength: 4,
    }),
  });
  let runs = 0;
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        runs++;
        const endpoint = ENDPOINTS[s.endpoint] as (typeof ENDPOINTS)[number];
        const body = (review(endpoint.kind).request as Json).object as Json;
        (body.metadata as Json).name = `fuzz-${runs}`;
        for (const m of s.mutations) {
          const all = paths(body);
          if (all.length) setAt(body, all[m.at % all.length] as Path, m.value, m.remove === 0);
        }
        const before = api.objects.size;
        const answer = await call(target, 'POST', endpoint.path, { token: 'fuzz', raw: encode(body) });
        const found = problem(answer, api.objects.size > before);
        if (found) {
          seen = `${endpoint.path}: ${found}`;
          throw new Error(seen);
        }
      }),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 300), endOnFailure: false },
    );
    t.pass(`${runs} random bodies keep the contract`);
  } catch (err) {
    t.fail(`${(err as Error).message.slice(0, 2000)} (last problem: ${seen})`);
  }
});

t.test(`random methods, paths and headers (seed ${seed})`, async (t) => {
  const segment = fc.oneof(
    fc.constantFrom(
      'api',
      'v1',
      'namespaces',
      'fuzz',
      'agenttaskruns',
      'docsruns',
      'pm',
      'tasks',
      'retry',
      '%2F',
      '..',
      '%00',
    ),
    fc.string({ maxLength: 12 }).map(encodeURIComponent),
  );
  const scenario = fc.record({
    method: fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'),
    segments: fc.array(segment, { maxLength: 7 }),
    token: fc.constantFrom('fuzz', 'wrong', ''),
    raw: fc.oneof(fc.constant(undefined), fc.string({ maxLength: 64 })),
  });
  // A body on GET, HEAD, DELETE or OPTIONS is refused by Node's HTTP parser before the app sees it.
  const bodied = new Set(['POST', 'PUT', 'PATCH']);
  try {
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const path = `/${s.segments.join('/')}`;
        const answer = await call(target, s.method, path, {
          ...(s.token ? { token: s.token } : {}),
          ...(s.raw === undefined || !bodied.has(s.method) ? {} : { raw: s.raw }),
        });
        if (answer.status >= 500)
          throw new Error(`${s.method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
        if (s.method !== 'HEAD' && answer.status >= 400 && answer.body?.kind !== 'Status')
          throw new Error(`${s.method} ${path}: ${answer.status} without a Status`);
      }),
      { seed, numRuns: Number(process.env.FUZZ_RUNS ?? 300), endOnFailure: false },
    );
    t.pass('random requests keep the contract');
  } catch (err) {
    t.fail(`${(err as Error).message.slice(0, 2000)} (last problem: ${seen})`);
  }
});
