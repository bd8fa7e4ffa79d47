// Agents with clusterAccess reach the apiserver's own addresses and ports, never a host by port alone.
import t from 'tap';
import { apiserverPolicy } from './apiserver-policy.js';

// biome-ignore lint/suspicious/noExplicitAny: walking a rendered manifest
type Json = any;

const service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { namespace: 'default', name: 'kubernetes' },
  spec: {
    clusterIP: '10.96.0.1',
    clusterIPs: ['10.96.0.1'],
    ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
  },
};
const slice = (addresses: string[], port: number) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: {
    namespace: 'default',
    name: 'kubernetes',
    labels: { 'kubernetes.io/service-name': 'kubernetes' },
  },
  endpoints: [{ addresses, conditions: { ready: true } }],
  ports: [{ name: 'https', port, protocol: 'TCP' }],
});

t.test('the Service IP on its port, the endpoints on theirs, and nothing else', async (t) => {
  const policy = apiserverPolicy('team-a', service, [slice(['172.18.0.2', '172.18.0.3'], 6443)]) as Json;
  t.equal(policy.metadata.namespace, 'team-a');
  t.same(policy.spec.podSelector.matchLabels, {
    'app.kubernetes.io/managed-by': 'orchestrator',
    'orchestrator.io/cluster-access': 'true',
  });
  t.same(policy.spec.policyTypes, ['Egress']);
  t.same(policy.spec.egress, [
    { to: [{ ipBlock: { cidr: '10.96.0.1/32' } }], ports: [{ port: 443, protocol: 'TCP' }] },
    {
      to: [{ ipBlock: { cidr: '172.18.0.2/32' } }, { ipBlock: { cidr: '172.18.0.3/32' } }],
      ports: [{ port: 6443, protocol: 'TCP' }],
    },
  ]);
  for (const rule of policy.spec.egress)
    t.ok(
      rule.to.length > 0 && rule.to.every((p: Json) => /\/(32|128)$/.test(p.ipBlock.cidr)),
      'every rule names single hosts: no port is open to any address',
    );
});

t.test('IPv6 endpoints are single hosts too', async (t) => {
  const policy = apiserverPolicy('team-a', { ...service, spec: { ports: [] } }, [
    slice(['fd00::2'], 6443),
  ]) as Json;
  t.same(policy.spec.egress, [
    { to: [{ ipBlock: { cidr: 'fd00::2/128' } }], ports: [{ port: 6443, protocol: 'TCP' }] },
  ]);
});

t.test('no address at all: an error naming the Service, not a policy that opens nothing', async (t) => {
  t.throws(
    () => apiserverPolicy('team-a', { ...service, spec: {} }, []),
    /default\/kubernetes .* name no address/,
  );
});
