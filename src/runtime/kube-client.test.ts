// rest_client_requests_total for a request that got no answer: client-go's code `<error>`. Answered
// requests (by status code, watches included) are counted against the real apiserver in
// test/integration/run-local.test.ts. A discarded answer (CallOptions.discardAnswer) against a local server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t from 'tap';
import { type RecordedAnswer, readAnswer, replayServer } from '../../test/harness/remote/recorded-answers.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { freePort } from '../util/free-port.js';
import { ApiError, isConflict, KubeClient, RequestTimeoutError } from './kube-client.js';

function plainHttpConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

t.test('a request nobody answers is counted with code <error>, by method and host', async (t) => {
  const host = `127.0.0.1:${await freePort()}`;
  const kc = plainHttpConfig(`http://${host}`);
  const registry = new Registry();
  const client = new KubeClient(kc, { registry });
  t.teardown(() => client.close());
  await t.rejects(client.request('GET', '/api/v1/namespaces'));
  await t.rejects(client.request('POST', '/api/v1/namespaces', { body: {} }));
  const text = await registry.metrics();
  t.equal(sampleSum(text, 'rest_client_requests_total', { code: '<error>', method: 'GET', host }), 1);
  t.equal(sampleSum(text, 'rest_client_requests_total', { code: '<error>', method: 'POST', host }), 1);
});

t.test(
  'stream: a log as the apiserver sends it (chunked, recorded), and its errors as ApiErrors',
  async (t) => {
    const answers: Record<string, RecordedAnswer> = {
      '/follow': readAnswer('follow-chunked'),
      '/gone': readAnswer('pod-not-found'),
      '/no-kubelet': readAnswer('no-kubelet'),
    };
    const server = await replayServer((path) => answers[path]);
    const registry = new Registry();
    const client = new KubeClient(server.kubeConfig, { registry });
    t.teardown(async () => {
      client.close();
      await server.close();
    });
    const signal = new AbortController().signal;
    const chunks: string[] = [];
    await client.stream('/follow', { follow: true }, (c) => chunks.push(c), { signal, accept: '*/*' });
    t.equal(chunks.join(''), 'line 1\nline 2\nline 3\nlast\n');
    const gone = await client.stream('/gone', {}, () => {}, { signal }).catch((e: unknown) => e);
    t.ok(gone instanceof ApiError && gone.status === 404 && gone.reason === 'NotFound');
    const noKubelet = await client.stream('/no-kubelet', {}, () => {}, { signal }).catch((e: unknown) => e);
    t.ok(noKubelet instanceof ApiError && noKubelet.status === 500);
    t.match((noKubelet as ApiError).message, /containerLogs/);
    const counted = async () =>
      sampleSum(await registry.metrics(), 'rest_client_requests_total', { code: '500' });
    t.equal(await counted(), 1, "the kubelet's 500, relayed, is counted as an answer");
    await client.stream('/no-kubelet', {}, () => {}, { signal, counted: false }).catch(() => undefined);
    t.equal(await counted(), 1, 'not when the read says it is not to be');
  },
);

t.test(
  'a discarded answer resolves to undefined; an error answer is still read for its Status',
  async (t) => {
    let status = 201;
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(status === 201 ? JSON.stringify({ data: 'x'.repeat(100_000) }) : '{"reason":"AlreadyExists"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.teardown(() => server.close());
    const kc = plainHttpConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    const client = new KubeClient(kc);
    t.teardown(() => client.close());
    t.equal(
      await client.request('POST', '/api/v1/namespaces/a/configmaps', { body: {}, discardAnswer: true }),
      undefined,
    );
    t.same(Object.keys(await client.request('POST', '/api/v1/namespaces/a/configmaps', { body: {} })), [
      'data',
    ]);
    status = 409;
    const err = await client
      .request('POST', '/x', { body: {}, discardAnswer: true })
      .catch((e: unknown) => e);
    t.ok(isConflict(err));
    t.equal((err as ApiError).reason, 'AlreadyExists');
  },
);

t.test('a stream ends as its cause says: silence, the caller, a cut, a slow answer', async (t) => {
  const open: import('node:http').ServerResponse[] = [];
  const server = createServer((req, res) => {
    req.resume();
    if (req.url?.startsWith('/slow')) return; // no answer at all
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write('first\n');
    open.push(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const client = new KubeClient(
    plainHttpConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
  );
  t.teardown(() => client.close());
  const chunks: string[] = [];
  const never = new AbortController().signal;

  const silent = await client
    .stream('/silent', {}, (c) => chunks.push(c), { signal: never, idleTimeoutMs: 200 })
    .catch((e: unknown) => e);
  t.ok(silent instanceof RequestTimeoutError, 'no data for idleTimeoutMs');
  t.equal((silent as Error).message, 'GET /silent: silent: no answer within 200 ms');
  t.same(chunks, ['first\n'], 'what came before the silence was delivered');

  const stop = new AbortController();
  const reason = new Error('the informer stopped');
  const aborted = client.stream('/aborted', {}, () => stop.abort(reason), { signal: stop.signal });
  t.equal(await aborted.catch((e: unknown) => e), reason, "the caller's signal: its reason");

  // Cut by the server once the head and a first chunk arrived.
  const cut = await client
    .stream('/cut', {}, () => open.at(-1)?.socket?.destroy(), { signal: never, what: 'the log' })
    .catch((e: unknown) => e);
  t.match((cut as Error).message, /^the log: connection closed/, 'a body cut short names the call');

  const thrown = new SyntaxError('not JSON');
  const bad = await client
    .stream(
      '/bad',
      {},
      () => {
        throw thrown;
      },
      { signal: never },
    )
    .catch((e: unknown) => e);
  t.equal(bad, thrown, 'what the callback threw, as it threw it');

  const slow = await client.request('GET', '/slow', { timeoutMs: 200 }).catch((e: unknown) => e);
  t.ok(slow instanceof RequestTimeoutError, 'a request not answered in its time');
  t.equal((slow as Error).message, 'GET /slow: no answer within 200 ms');
});
