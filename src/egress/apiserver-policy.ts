// The NetworkPolicy that lets agents with clusterAccess reach the apiserver, and only it (issue 53):
// the `kubernetes` Service's addresses on its port, and its EndpointSlices' addresses on theirs
// (policy engines see a connection after kube-proxy's DNAT, some before). A rule by port alone would
// let such an agent reach any host on 443 or 6443 past the egress proxy; the apiserver's addresses
// are the cluster's own, so they are read from it (`orchestrator egress manifests -n`).
import { LABELS, MANAGED_BY } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';

export const APISERVER_POLICY_NAME = 'orchestrator-agent-apiserver';

/** Where the apiserver's addresses are read: the Service, and its EndpointSlices by this label. */
export const APISERVER_SERVICE = { namespace: 'default', name: 'kubernetes' };
export const ENDPOINT_SLICE_SERVICE_LABEL = 'kubernetes.io/service-name';

interface Peer {
  address: string;
  port: number;
  protocol: string;
}

const hostBlock = (address: string) => ({
  ipBlock: { cidr: `${address}/${address.includes(':') ? 128 : 32}` },
});

function serviceAddresses(service: KubeObject): Peer[] {
  const spec = (service.spec ?? {}) as {
    clusterIP?: string;
    clusterIPs?: string[];
    ports?: { port: number; protocol?: string }[];
  };
  const addresses = (spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((a) => a !== 'None');
  return addresses.flatMap((address) =>
    (spec.ports ?? []).map((p) => ({ address, port: p.port, protocol: p.protocol ?? 'TCP' })),
  );
}

interface EndpointSlice {
  endpoints?: { addresses?: string[] }[];
  ports?: { port?: number; protocol?: string }[];
}

function sliceAddresses(slice: KubeObject): Peer[] {
  const { endpoints = [], ports = [] } = slice as unknown as EndpointSlice;
  return endpoints.flatMap((e) =>
    (e.addresses ?? []).flatMap((address) =>
      ports.flatMap((p) => (p.port ? [{ address, port: p.port, protocol: p.protocol ?? 'TCP' }] : [])),
    ),
  );
}

/**
 * The policy in `namespace`, from the `kubernetes` Service and its EndpointSlices as the apiserver
 * has them; an error when they name no address (a policy without peers would open nothing, silently).
 */
export function apiserverPolicy(namespace: string, service: KubeObject, slices: KubeObject[]): KubeObject {
  const peers = [...serviceAddresses(service), ...slices.flatMap(sliceAddresses)];
  if (peers.length === 0)
    throw new Error(
      `the Service ${APISERVER_SERVICE.namespace}/${APISERVER_SERVICE.name} and its EndpointSlices name no address of the apiserver`,
    );
  // One rule per port, its peers the addresses served on it: a rule pairs every peer with every port.
  const byPort = new Map<string, Set<string>>();
  for (const p of peers) {
    const key = `${p.port}/${p.protocol}`;
    byPort.set(key, (byPort.get(key) ?? new Set()).add(p.address));
  }
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: APISERVER_POLICY_NAME, namespace, labels: { [LABELS.managedBy]: MANAGED_BY } },
    spec: {
      podSelector: {
        matchLabels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.clusterAccess]: 'true' },
        matchExpressions: [{ key: LABELS.run, operator: 'Exists' }],
      },
      policyTypes: ['Egress'],
      egress: [...byPort].sort().map(([key, addresses]) => {
        const [port, protocol] = key.split('/');
        return { to: [...addresses].sort().map(hostBlock), ports: [{ port: Number(port), protocol }] };
      }),
    },
  };
}
