// The secure metrics of an installed replica (test/harness/operator/installed-replicas.ts: the Deployment's args,
// the manager's ServiceAccount and RBAC, the production overlay's scraper): HTTPS only, no token 401, a
// ServiceAccount that RBAC does not allow `get /metrics` 403, the ServiceMonitor's scraper 200.
import t from 'tap';
import { ensureDist } from '../../scripts/build.js';
import { serviceAccountToken } from '../../src/app/service-account.js';
import { AGENT_SERVICE_ACCOUNT, testCluster } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { get, installReplicas } from '../harness/operator/installed-replicas.js';
import { sampleSum } from '../harness/util/prometheus-text.js';

/** The ServiceMonitor's ServiceAccount (config/prometheus/metrics-scraper.yaml). */
const SCRAPER = 'orchestrator-metrics-scraper';

if (!ensureDist()) throw new Error('building dist/ failed');
const cluster = await testCluster();
await ensureCrds(cluster);

t.test('metrics: HTTPS, a bearer token RBAC allows get /metrics, else 401 or 403', async (t) => {
  const { namespace, podNamespace, replicas, caPem, client, metrics } = await installReplicas(t, cluster, {
    prefix: 'metrics',
    count: 1,
  });
  const port = replicas[0]?.metricsPort ?? 0;
  t.equal(metrics.scheme, 'https', 'the ServiceMonitor scrapes over HTTPS');

  await t.rejects(get(port, '/metrics'), 'no plain HTTP on the metrics port');
  const anonymous = await get(port, '/metrics', caPem);
  t.equal(anonymous.status, 401, 'no token: 401');
  t.match(anonymous.body, /no bearer token/);
  t.equal((await get(port, '/metrics', caPem, undefined, 'not-a-token')).status, 401, 'a bad token: 401');

  // A ServiceAccount of the cluster, with a valid token, that nothing binds to the reader role.
  const agent = { namespace, name: AGENT_SERVICE_ACCOUNT };
  const other = await serviceAccountToken(client, agent);
  const forbidden = await get(port, '/metrics', caPem, undefined, other);
  t.equal(forbidden.status, 403, 'a token RBAC does not allow: 403');
  t.match(
    forbidden.body,
    `User "system:serviceaccount:${namespace}:${AGENT_SERVICE_ACCOUNT}" cannot get path "/metrics"`,
  );

  // A token of the scraper for another audience (the REST API's): not one the apiserver issued for itself.
  const forTheApi = await client.request<{ status: { token: string } }>(
    'POST',
    `/api/v1/namespaces/${podNamespace}/serviceaccounts/${SCRAPER}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['orchestrator'] },
      },
    },
  );
  t.equal(
    (await get(port, '/metrics', caPem, undefined, forTheApi.status.token)).status,
    401,
    'a token for the audience "orchestrator": 401',
  );

  const scraped = await get(port, metrics.path, caPem, undefined, metrics.token);
  t.equal(scraped.status, 200, "the ServiceMonitor's scraper (orchestrator-metrics-reader): 200");
  t.ok(sampleSum(scraped.body, 'certwatcher_read_certificate_total') >= 1, 'the manager metrics');
  t.equal((await get(port, '/healthz', caPem, undefined, metrics.token)).status, 404, 'only /metrics');
});
