// A run whose clone the egress proxy refuses, on the real node: its status, an Event and the metric
// name the host, and its failure message says it (real-node.test.ts's egress test, after its probes).
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import type { ControllerConfig, TaskRun } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { EVENTS, type KubeClient, type KubeObject, resourcePath } from '../../../src/runtime/index.js';
import { sampleTaskRun, startOperator, taskRunPath } from '../operator/operator.js';
import { sampleSum } from '../util/prometheus-text.js';
import { waitFor } from '../util/wait.js';

export async function refusedCloneRun(
  t: Test,
  {
    cluster,
    client,
    ns,
    operatorNs,
    config,
    agentImage,
  }: {
    cluster: Cluster;
    client: KubeClient;
    ns: string;
    operatorNs: string;
    config: ControllerConfig;
    agentImage: { name: string };
  },
): Promise<void> {
  // A run of the operator whose clone the proxy refuses (its host is not on the allowlist): its
  // status, an Event and the metric name the host, and its failure message says it. The proxy's own
  // policy (the egress test shows only agent pods reach it) goes first: kube-router admits a new pod's address
  // to it some time after the pod starts, and prepare clones at once, before that, so its
  // connection would be dropped before the proxy could refuse it.
  await client.request(
    'DELETE',
    `/apis/networking.k8s.io/v1/namespaces/${operatorNs}/networkpolicies/${config.egress.proxy.name}`,
  );
  const runConfig = structuredClone(config);
  runConfig.retries.maxRetries = 0;
  const profile = runConfig.agents[runConfig.defaultAgent];
  if (!profile) throw new Error('the shipped config has no default agent profile');
  profile.image = agentImage.name;
  profile.imagePullPolicy = 'Never';
  const registry = new Registry();
  await startOperator(t, cluster, ns, runConfig, { registry });
  await client.request('POST', taskRunPath(ns), {
    body: sampleTaskRun('refused', 53, {
      image: agentImage.name,
      repository: { url: 'https://unlisted.test/acme/payments.git' },
    }),
  });
  const status = await waitFor(
    'the run failed, its status and message saying what the proxy refused',
    async (note) => {
      const run = await client.request<TaskRun>('GET', taskRunPath(ns, 'refused'));
      note(run.status);
      const s = run.status;
      return s?.phase === 'Failed' && s.egressRefusals && /egress proxy refused/.test(s.message ?? '')
        ? s
        : undefined;
    },
    { timeoutMs: 300_000 },
  );
  t.match(status.egressRefusals?.hosts, [{ host: 'unlisted.test', port: 443 }], 'the clone’s host');
  t.match(status.message, /the egress proxy refused \d+ requests? of its agent \(unlisted\.test:443 ×\d+\)/);
  const events = await client.request<{ items: (KubeObject & { reason?: string; message?: string })[] }>(
    'GET',
    resourcePath(EVENTS, ns),
    { query: { fieldSelector: 'involvedObject.name=refused' } },
  );
  t.ok(
    events.items.some((e) => e.reason === 'EgressRefused' && /unlisted\.test:443/.test(e.message ?? '')),
    'an Event names the host',
  );
  t.ok(
    sampleSum(await registry.metrics(), 'orchestrator_egress_refused_requests_total', {
      run_namespace: ns,
      agent: runConfig.defaultAgent,
    }) >= 1,
    'the metric counts it by namespace and profile',
  );
}
