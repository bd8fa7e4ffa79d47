// The model gateway as config/ installs it (docs/economics.md "The model gateway"): its Service in
// front of the port every replica serves it on (the shipped config's gateway.bindAddress), the URL the
// shipped config gives the agents naming that Service, the manager's NetworkPolicy letting exactly the
// agent pods in on that port and the agents' letting them out to it, the Role that lets the manager
// read the two keys by the names the config gives them, and the shipped config on, turned off by its
// one switch. That the Role's rights are the ones the gateway uses: rbac.test.ts.
import { join } from 'node:path';
import t from 'tap';
import { LABELS } from '../../src/api/index.js';
import { parseBindAddress } from '../../src/app/options.js';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { kustomize, one } from '../harness/deploy/kustomize.js';
import { portNumber, selects } from '../harness/deploy/pod-spec.js';
import { managerTemplate } from '../harness/operator/replicas.js';

const cluster = await testCluster();
const root = packageRoot();
const installed = await kustomize(cluster, join(root, 'config', 'default'));
const agents = await kustomize(cluster, join(root, 'config', 'agents'));
const { namespace, container } = managerTemplate(installed);
const podLabels = (
  one(installed, 'Deployment', 'orchestrator').spec as {
    template: { metadata: { labels: Record<string, string> } };
  }
).template.metadata.labels;
const shipped = loadDefaultConfig().gateway;
const served = parseBindAddress(shipped.bindAddress, 'gateway.bindAddress').port;

interface Selector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface Peer {
  namespaceSelector?: Selector;
  podSelector?: Selector;
}
interface PolicyRule {
  from?: Peer[];
  to?: Peer[];
  ports?: Array<{ port: string | number; protocol?: string }>;
}
const policy = (objects: typeof installed, name: string) =>
  one(objects, 'NetworkPolicy', name).spec as {
    podSelector: Selector;
    ingress?: PolicyRule[];
    egress?: PolicyRule[];
  };

t.test('the Service: every replica, on the port the shipped config serves', async (t) => {
  t.equal(portNumber(container, 'gateway'), served, "the container's gateway port is gateway.bindAddress's");
  const service = one(installed, 'Service', 'orchestrator-gateway');
  const spec = service.spec as {
    selector: Record<string, string>;
    ports: Array<{ port: number; targetPort: string | number }>;
    sessionAffinity?: string;
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  };
  t.ok(selects(spec.selector, podLabels), 'it selects the manager pods (all replicas serve it)');
  // One agent's calls reach one replica, whose reservations cover them all, for as long as a Job may run.
  t.equal(spec.sessionAffinity, 'ClientIP', "an agent's calls stay on one replica");
  t.ok(
    (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 0) >=
      loadDefaultConfig().job.activeDeadlineSeconds,
    'longer than the shipped Job deadline',
  );
  t.same(
    spec.ports.map((p) => portNumber(container, p.targetPort)),
    [served],
    'its one port leads to the gateway port',
  );
  const url = new URL(shipped.url ?? '');
  t.same(
    [url.protocol, url.hostname, Number(url.port)],
    ['http:', `${service.metadata?.name}.${namespace}.svc`, spec.ports[0]?.port],
    'the shipped gateway.url is that Service',
  );
});

t.test('NetworkPolicies: agent pods reach the gateway port, and nothing else does', async (t) => {
  // Every agent pod, sent out through the egress proxy or not: the agents' policy less its egress clause.
  const direct = policy(agents, 'orchestrator-agent').podSelector;
  const agentPods = {
    ...direct,
    matchExpressions: (direct.matchExpressions ?? []).filter((e) => e.key !== LABELS.egress),
  };
  const ingress = (policy(installed, 'orchestrator').ingress ?? []).filter((r) =>
    (r.ports ?? []).some((p) => portNumber(container, p.port) === served),
  );
  t.same(
    ingress.map((r) => r.from),
    [[{ namespaceSelector: {}, podSelector: agentPods }]],
    "the manager's policy opens the gateway port to the agent pods of any namespace, only",
  );
  const egress = (policy(agents, 'orchestrator-agent').egress ?? []).filter((r) =>
    (r.to ?? []).some((peer) => peer.namespaceSelector && peer.podSelector),
  );
  t.same(
    egress.map((r) => [r.to, r.ports?.map((p) => portNumber(container, p.port))]),
    [
      [
        [
          {
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
            podSelector: { matchLabels: podLabels },
          },
        ],
        [served],
      ],
    ],
    "the agents' policy lets them out to the manager pods' gateway port in the install's namespace",
  );
});

t.test('the Role: the keys by the names the config gives them, and the ledger', async (t) => {
  const role = one(installed, 'Role', 'orchestrator-gateway');
  t.equal(role.metadata?.namespace, namespace, "in the manager's own namespace");
  const rules = (role.rules ?? []) as Array<{
    resources: string[];
    verbs: string[];
    resourceNames?: string[];
  }>;
  const reads = rules.filter((r) => r.resources.includes('secrets') && r.verbs.includes('get'));
  t.same(
    reads.flatMap((r) => r.resourceNames ?? ['(every name)']).sort(),
    [
      shipped.upstream.apiKey.name,
      shipped.signingKey.name,
      ...Object.values(shipped.providers ?? {}).map((p) => p.apiKey.name),
    ].sort(),
    'Secrets read by the names of gateway.upstream.apiKey, gateway.providers.*.apiKey and gateway.signingKey only',
  );
  const binding = one(installed, 'RoleBinding', 'orchestrator-gateway') as {
    roleRef?: { name: string };
    subjects?: Array<{ name: string; namespace: string }>;
  };
  t.equal(binding.roleRef?.name, role.metadata?.name);
  const pod = (
    one(installed, 'Deployment', 'orchestrator').spec as {
      template: { spec: { serviceAccountName: string } };
    }
  ).template.spec;
  t.same(
    binding.subjects?.map((s) => `${s.namespace}/${s.name}`),
    [`${namespace}/${pod.serviceAccountName}`],
  );
});

t.test('the shipped config has the gateway on; gateway.enabled: false alone turns it off', async (t) => {
  t.equal(shipped.enabled, true, 'on as shipped: the agents get a token of their attempt, never the key');
  const off = structuredClone(loadDefaultConfig()) as unknown as { gateway: { enabled: boolean } };
  off.gateway.enabled = false;
  t.equal(configFrom(off, 'the shipped config, gateway off').gateway.enabled, false, 'valid, and off');
});
