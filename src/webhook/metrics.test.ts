// The webhook metrics as controller-runtime labels them: `webhook` is the path served, the codes it
// initialises exist at 0 from the start, and a handler that throws counts as a panic.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { review } from '../../test/fuzz/reviews.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { webhookHandler } from './server.js';

const registry = new Registry();
const handler = webhookHandler({
  routes: [
    { name: 'validate-ok', path: '/validate-orchestrator-io-v1-taskrun', handle: () => ({ allowed: true }) },
    {
      name: 'mutate-bug',
      path: '/mutate-orchestrator-io-v1-taskrun',
      handle: () => {
        throw new TypeError("Cannot read properties of undefined (reading 'spec')");
      },
    },
  ],
  registry,
  logger: pino({ level: 'silent' }),
});
const server = createServer(handler);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
t.teardown(() => new Promise((resolve) => server.close(resolve)));
const post = async (path: string) => {
  const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(review('TaskRun')),
  });
  return { status: res.status, body: (await res.json()) as { response?: { allowed: boolean } } };
};
const value = async (name: string, labels: Record<string, string> = {}) =>
  sampleSum(await registry.metrics(), name, labels);
const VALIDATE = '/validate-orchestrator-io-v1-taskrun';
const MUTATE = '/mutate-orchestrator-io-v1-taskrun';

t.test('every series starts at 0, labelled with the path', async (t) => {
  for (const webhook of [VALIDATE, MUTATE]) {
    for (const code of ['200', '500'])
      t.equal(
        await value('controller_runtime_webhook_requests_total', { webhook, code }),
        0,
        `${webhook} ${code}`,
      );
    t.equal(await value('controller_runtime_webhook_requests_in_flight', { webhook }), 0);
    t.equal(await value('orchestrator_webhook_internal_errors_total', { webhook }), 0);
  }
  t.equal(await value('controller_runtime_webhook_panics_total'), 0);
});

t.test('a review is counted and timed under its path; a handler that throws is a panic', async (t) => {
  t.equal((await post(VALIDATE)).body.response?.allowed, true);
  const bug = await post(MUTATE);
  t.equal(bug.status, 200, 'answered');
  t.equal(bug.body.response?.allowed, false, 'with a denial that says it is internal');
  t.equal(await value('controller_runtime_webhook_requests_total', { webhook: VALIDATE, code: '200' }), 1);
  t.equal(await value('controller_runtime_webhook_latency_seconds_count', { webhook: VALIDATE }), 1);
  t.equal(await value('controller_runtime_webhook_requests_total', { webhook: MUTATE, code: '200' }), 1);
  t.equal(await value('controller_runtime_webhook_panics_total'), 1);
  t.equal(await value('orchestrator_webhook_internal_errors_total', { webhook: MUTATE }), 1);
  t.equal(await value('orchestrator_webhook_denials_total', { webhook: MUTATE, rule: 'internal' }), 1);
  t.notMatch(await registry.metrics(), /webhook="(validate|mutate)-/, 'no label is a route name');
});
