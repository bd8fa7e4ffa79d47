// rest_client_requests_total for a request that got no answer: client-go's code `<error>`. Answered
// requests (by status code, watches included) are counted against the real apiserver in
// test/integration/run-local.test.ts.
import { KubeConfig } from '@kubernetes/client-node';
import { Registry } from 'prom-client';
import t from 'tap';
import { sampleSum } from '../../test/harness/prometheus-text.js';
import { freePort } from '../util/free-port.js';
import { KubeClient } from './kube-client.js';

t.test('a request nobody answers is counted with code <error>, by method and host', async (t) => {
  const host = `127.0.0.1:${await freePort()}`;
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://${host}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const registry = new Registry();
  const client = new KubeClient(kc, { registry });
  t.teardown(() => client.close());
  await t.rejects(client.request('GET', '/api/v1/namespaces'));
  await t.rejects(client.request('POST', '/api/v1/namespaces', { body: {} }));
  const text = await registry.metrics();
  t.equal(sampleSum(text, 'rest_client_requests_total', { code: '<error>', method: 'GET', host }), 1);
  t.equal(sampleSum(text, 'rest_client_requests_total', { code: '<error>', method: 'POST', host }), 1);
});
