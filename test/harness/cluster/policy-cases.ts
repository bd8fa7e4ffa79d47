// The NetworkPolicy cases the real node's policy engine is held to, set up in a namespace: plain
// policies (a pod allowed to a server's port, another denied it) and the shipped agent policy
// (config/agents, in every test namespace): an agent pod does not reach the apiserver (a private
// address), one whose profile has clusterAccess does, by the policy `orchestrator egress manifests -n`
// renders from the apiserver's addresses, and not another host on the apiserver's port.
import type { Test } from 'tap';
import type { Cluster } from '../../../src/cluster/index.js';
import {
  APISERVER_SERVICE,
  apiserverPolicy,
  ENDPOINT_SLICE_SERVICE_LABEL,
} from '../../../src/egress/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { testNamespace } from './cluster.js';
import { servePod } from './real-node.js';

export interface PolicyCase {
  name: string;
  /** The probe pod's labels, which the policies select. */
  labels: Record<string, string>;
  host: string;
  port: number;
  expect: 'reached' | 'refused';
}

/** The servers and policies of the cases in `ns` (and a namespace of its own for the other host). */
export async function policyCases(
  t: Test,
  client: KubeClient,
  cluster: Cluster,
  ns: string,
  busybox: string,
): Promise<PolicyCase[]> {
  const web = await servePod(client, ns, 'web', busybox, { app: 'web' }, 8080);
  // Egress from `probe: allowed` to the server's port, from `probe: denied` to another port only.
  for (const [probe, port] of [
    ['allowed', 8080],
    ['denied', 9090],
  ] as const)
    await client.request('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
      body: {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: probe },
        spec: {
          podSelector: { matchLabels: { probe } },
          policyTypes: ['Egress'],
          egress: [{ to: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ port }] }],
        },
      },
    });
  // The apiserver policy of clusterAccess agents, from the apiserver's own addresses.
  const { namespace: apiNs, name: apiName } = APISERVER_SERVICE;
  const apiSlices = await client.request<{ items?: KubeObject[] }>(
    'GET',
    `/apis/discovery.k8s.io/v1/namespaces/${apiNs}/endpointslices?labelSelector=${encodeURIComponent(`${ENDPOINT_SLICE_SERVICE_LABEL}=${apiName}`)}`,
  );
  const apiService = await client.request<KubeObject>(
    'GET',
    `/api/v1/namespaces/${apiNs}/services/${apiName}`,
  );
  await client.request('POST', `/apis/networking.k8s.io/v1/namespaces/${ns}/networkpolicies`, {
    body: apiserverPolicy(ns, apiService, apiSlices.items ?? []),
  });
  const elsewhere = await servePod(
    client,
    await testNamespace(t, cluster),
    'not-apiserver',
    busybox,
    { app: 'not-apiserver' },
    6443,
  );
  const agent = { 'app.kubernetes.io/managed-by': 'orchestrator', 'orchestrator.io/run': 'probe' };
  const cases: PolicyCase[] = [
    { name: 'allowed', labels: { probe: 'allowed' }, host: web, port: 8080, expect: 'reached' },
    { name: 'denied', labels: { probe: 'denied' }, host: web, port: 8080, expect: 'refused' },
    { name: 'agent', labels: agent, host: '10.0.0.1', port: 443, expect: 'refused' },
    {
      name: 'agent-cluster-access',
      labels: { ...agent, 'orchestrator.io/cluster-access': 'true' },
      host: '10.0.0.1',
      port: 443,
      expect: 'reached',
    },
    {
      name: 'agent-cluster-access-elsewhere',
      labels: { ...agent, 'orchestrator.io/cluster-access': 'true' },
      host: elsewhere,
      port: 6443,
      expect: 'refused',
    },
  ];
  return cases;
}
