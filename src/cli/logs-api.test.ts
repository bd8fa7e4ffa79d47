// `orchestrator logs --api-url` against the REST API's answers (src/rest/logs.ts: the run, then its
// log as text, 503 while the attempt has not started, a farewell line when the apiserver broke the
// stream), replayed over HTTP to the real RestApiClient. test/integration/rest-api.test.ts serves them
// from the real API.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { memoryIO, outcome } from '../../test/harness/fakes/cli-io.js';
import { jsonAnswer, type RecordedAnswer, replayServer } from '../../test/harness/remote/recorded-answers.js';
import { createAuthority } from '../certs/index.js';
import { logFarewell } from '../runs/index.js';
import type { KubeObject } from '../runtime/index.js';
import { runPath } from './kinds.js';
import { apiLogs } from './logs-api.js';
import type { LogsOptions } from './logs-options.js';
import { RestApiClient, restPath } from './rest-client.js';

const RUN = restPath(runPath('TaskRun', 'default', 'pay')) as string;
const LOG = `${RUN}/log`;

const run = (phase: string, attempt?: number): KubeObject => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name: 'pay', namespace: 'default' },
  status: { phase, ...(attempt ? { attempt } : {}) },
});

const text = (...chunks: string[]): RecordedAnswer => ({
  request: '',
  status: 200,
  contentType: 'text/plain; charset=utf-8',
  chunked: true,
  chunks,
});

const status = (code: number, message: string) =>
  jsonAnswer({ kind: 'Status', status: 'Failure', message, code }, code);

// The API over TLS, as the CLI sends its token nowhere else.
const authority = await createAuthority();
const serving = await authority.issueServing({ commonName: 'api', ipAddresses: ['127.0.0.1'] });
const caFile = join(t.testdir(), 'ca.crt');
writeFileSync(caFile, authority.certPem);

/** The API's answers in turn: each list's last answer repeats. */
async function serve(t: Test, runs: KubeObject[], logs: RecordedAnswer[]) {
  const next = <T>(queue: T[]) => (queue.length > 1 ? queue.shift() : queue[0]);
  const server = await replayServer((path) => {
    if (path === RUN) return jsonAnswer(next(runs));
    if (path === LOG) return next(logs);
    return undefined;
  }, serving);
  const client = new RestApiClient({
    url: server.kubeConfig.getCurrentCluster()?.server as string,
    token: 'caller-token',
    caFile,
    timeoutMs: 5000,
  });
  t.teardown(async () => {
    client.close();
    await server.close();
  });
  return { server, client };
}

async function logs(client: RestApiClient, opts: LogsOptions = {}, io = memoryIO()) {
  return outcome(io, (io) =>
    apiLogs(client, { kind: 'TaskRun', name: 'pay', namespace: 'default' }, io, { pollMs: 20, ...opts }),
  );
}

t.test('without -f: the log as the API gives it, with the window and container asked for', async (t) => {
  const { client, server } = await serve(t, [run('Running', 1)], [text('line 1\n', 'line 2\n')]);
  const res = await logs(client, { init: true, attempt: 1, window: { tailLines: 2 } });
  t.equal(res.code, 0);
  t.equal(res.stdout, 'line 1\nline 2\n');
  t.same(server.requests, [`${LOG}?container=prepare&attempt=1&tailLines=2`]);
});

t.test('without -f: an attempt not started yet, or none, is said; -f would wait', async (t) => {
  const { client } = await serve(t, [run('Pending')], [status(503, 'pod pay-1-x has not started yet')]);
  const res = await logs(client);
  t.equal(res.code, 1);
  t.match(res.stderr, 'error: pod pay-1-x has not started yet (-f waits for it)');
  const gone = await serve(t, [run('Failed', 1)], [status(404, 'the Job of attempt 1 is gone')]);
  t.match((await logs(gone.client)).stderr, 'error: the Job of attempt 1 is gone');
});

t.test('-f: waits for the attempt, prints a broken stream once, then each next attempt', async (t) => {
  const { client, server } = await serve(
    t,
    [
      run('Pending'),
      run('Running', 1),
      run('Running', 1),
      run('Running', 1),
      run('Running', 2),
      run('Succeeded', 2),
    ],
    [
      status(503, 'pod pay-1-x has not started yet'),
      // The apiserver broke the stream: the API said so in the log's own stream.
      text('a\n', 'b\n', logFarewell('GET …/log: connection closed')),
      // Opened again: the whole log, of which only what is new is printed; then the container ended.
      text('a\nb\n', 'c\n'),
      text('x\n'),
    ],
  );
  const res = await logs(client, { follow: true });
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, 'a\nb\nc\n--- attempt 2 ---\nx\n', 'every line once, the attempts apart');
  t.match(res.stderr, 'waiting: no attempt yet; status says Pending');
  t.match(res.stderr, 'waiting: pod pay-1-x has not started yet');
  t.match(res.stderr, 'orchestrator: the log ended early: GET …/log: connection closed; opening it again');
  t.notMatch(res.stdout, 'orchestrator:', 'the farewell is not part of the log');
  t.same(
    server.requests.filter((r) => r.startsWith(LOG)),
    [
      `${LOG}?container=agent&attempt=1&follow=true`,
      `${LOG}?container=agent&attempt=1&follow=true`,
      `${LOG}?container=agent&attempt=1&follow=true`,
      `${LOG}?container=agent&attempt=2&follow=true`,
    ],
  );
});

t.test('-f with --tail: a broken stream is opened again from shortly before, and says so', async (t) => {
  const { client, server } = await serve(
    t,
    [run('Running', 1), run('Running', 1), run('Succeeded', 1)],
    [text('z\n', logFarewell('broken')), text('z\n')],
  );
  const res = await logs(client, { follow: true, window: { tailLines: 1 } });
  t.equal(res.code, 0, res.stderr);
  t.equal(res.stdout, 'z\nz\n', 'repeated, as it said it might be; nothing lost');
  t.match(res.stderr, /the lines of the last \d+ s may be printed again/);
  const reads = server.requests.filter((r) => r.startsWith(LOG));
  t.equal(reads[0], `${LOG}?container=agent&attempt=1&follow=true&tailLines=1`);
  t.match(
    reads[1],
    new RegExp(`^${LOG.replaceAll('/', '\\/')}\\?container=agent&attempt=1&follow=true&sinceSeconds=\\d+$`),
  );
});

t.test("-f: a refusal ends it with the API's words; a finished run without attempts too", async (t) => {
  const forbidden = await serve(t, [run('Running', 1)], [status(403, 'user "bob" may not get pods/log')]);
  const res = await logs(forbidden.client, { follow: true });
  t.equal(res.code, 1);
  t.match(res.stderr, 'error: user "bob" may not get pods/log');
  const blocked = await serve(t, [run('Failed')], [text('')]);
  t.match(
    (await logs(blocked.client, { follow: true })).stderr,
    'error: no attempt to show: status says Failed',
  );
});
