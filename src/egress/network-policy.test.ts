// The NetworkPolicy of an allowlist's pods: the proxy's port of that allowlist, and Services as
// their pods and target ports.
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { allowlistPolicy, allowlistServices, servicePeer } from './network-policy.js';
import { proxyObjects } from './proxy-manifests.js';

const config = structuredClone(loadDefaultConfig());
config.egress.allowlists = {
  default: {
    port: 3128,
    services: [
      { name: 'db', port: 5432 },
      { name: 'cache', namespace: 'shared', port: 6379 },
    ],
  },
  wide: { port: 3129 },
};
const service = (namespace: string, spec: object) => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace, name: 'db' },
  spec,
});
// biome-ignore lint/suspicious/noExplicitAny: walking a rendered manifest
type Json = any;

t.test('selects the allowlist’s agent pods and opens its proxy port only', async (t) => {
  const policy = allowlistPolicy(config.egress, 'wide', 'team-a', []) as Json;
  t.equal(policy.metadata.name, 'orchestrator-egress-wide');
  t.equal(policy.metadata.namespace, 'team-a');
  t.same(policy.spec.podSelector.matchLabels, {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/egress': 'wide',
  });
  t.same(policy.spec.podSelector.matchExpressions, [{ key: 'orchestrator.io/run', operator: 'Exists' }]);
  t.same(policy.spec.policyTypes, ['Egress']);
  t.same(policy.spec.egress, [
    {
      to: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'orchestrator-system' } },
          podSelector: {
            matchLabels: {
              'app.kubernetes.io/name': 'orchestrator-egress-proxy',
              'app.kubernetes.io/component': 'egress-proxy',
            },
          },
        },
      ],
      ports: [{ port: 3129, protocol: 'TCP' }],
    },
  ]);
  const proxyPods = (proxyObjects(config)[1] as Json).spec.template.metadata.labels;
  t.same(policy.spec.egress[0].to[0].podSelector.matchLabels, proxyPods, 'the peer is the proxy’s pods');
  t.throws(() => allowlistPolicy(config.egress, 'absent', 'team-a', []), /no allowlist absent/);
});

t.test('a Service is its pods and target port; one a policy cannot name is an error', async (t) => {
  t.same(
    allowlistServices(config.egress, 'default', 'team-a').map((s) => s.namespace),
    ['team-a', 'shared'],
  );
  const entry = { name: 'db', port: 5432 };
  const peer = servicePeer(
    entry,
    service('team-a', { selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 'pg' }] }),
  );
  t.same(peer, { namespace: 'team-a', selector: { app: 'db' }, targetPort: 'pg', protocol: 'TCP' });
  const policy = allowlistPolicy(config.egress, 'default', 'team-a', [peer]) as Json;
  t.same(policy.spec.egress[1], {
    to: [
      {
        namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } },
        podSelector: { matchLabels: { app: 'db' } },
      },
    ],
    ports: [{ port: 'pg', protocol: 'TCP' }],
  });
  t.throws(
    () => servicePeer(entry, service('team-a', { ports: [{ port: 5432 }] })),
    /team-a\/db has no selector/,
  );
  t.throws(
    () => servicePeer(entry, service('team-a', { selector: { app: 'db' }, ports: [{ port: 80 }] })),
    /team-a\/db has no port 5432/,
  );
});

t.test(
  'the proxy takes connections from agent pods with egress on only, on the allowlists’ ports',
  async (t) => {
    const policy = proxyObjects(config).find((o) => o.kind === 'NetworkPolicy') as Json;
    t.equal(policy.metadata.namespace, 'orchestrator-system');
    t.same(policy.spec.policyTypes, ['Ingress'], 'its own egress is the internet');
    t.same(policy.spec.ingress, [
      {
        from: [
          {
            namespaceSelector: {},
            podSelector: {
              matchLabels: { 'app.kubernetes.io/managed-by': 'orchestrator' },
              matchExpressions: [{ key: 'orchestrator.io/egress', operator: 'Exists' }],
            },
          },
        ],
        ports: [
          { port: 3128, protocol: 'TCP' },
          { port: 3129, protocol: 'TCP' },
        ],
      },
    ]);
  },
);
