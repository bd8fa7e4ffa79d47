// The NetworkPolicy of an allowlist's agent pods in one namespace (docs/agent-pods.md "Egress"): the
// pods carrying orchestrator.io/egress={allowlist} may reach the proxy's pods on that allowlist's port,
// and the allowlist's Services as their pods and target ports (a policy sees connections after the
// Service's address is translated). DNS and the model gateway are the shipped policy's
// (config/agents), which keeps the internet from these pods; policies add up, so this one only opens.
import { LABELS, MANAGED_BY } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { type AllowedService, type Egress, serviceNamespace } from './allowlists.js';
import { proxyPodLabels } from './proxy-manifests.js';

/** The policy's name in each namespace where runs live. */
export const allowlistPolicyName = (allowlist: string): string => `orchestrator-egress-${allowlist}`;

/** What a Service is to a NetworkPolicy: its namespace, its pods' labels and the target of a port. */
export interface ServicePeer {
  namespace: string;
  selector: Record<string, string>;
  targetPort: number | string;
  protocol: string;
}

interface ServiceSpec {
  selector?: Record<string, string>;
  ports?: { port: number; targetPort?: number | string; protocol?: string }[];
}

/**
 * The peer of an allowed Service, from the Service as the apiserver has it; an error naming the
 * config's entry when it has no selector (its endpoints are not pods a policy can name) or not that
 * port.
 */
export function servicePeer(entry: AllowedService, service: KubeObject): ServicePeer {
  const spec = (service.spec ?? {}) as ServiceSpec;
  const where = `${service.metadata?.namespace}/${entry.name}`;
  if (!spec.selector || Object.keys(spec.selector).length === 0)
    throw new Error(`Service ${where} has no selector: a NetworkPolicy can only name pods`);
  const port = spec.ports?.find((p) => p.port === entry.port);
  if (!port) throw new Error(`Service ${where} has no port ${entry.port}`);
  return {
    namespace: service.metadata?.namespace ?? '',
    selector: spec.selector,
    targetPort: port.targetPort ?? port.port,
    protocol: port.protocol ?? 'TCP',
  };
}

/** The Services of an allowlist as namespace/name, for the caller to read before rendering. */
export const allowlistServices = (egress: Egress, allowlist: string, runNamespace: string) =>
  (egress.allowlists[allowlist]?.services ?? []).map((entry) => ({
    entry,
    namespace: serviceNamespace(entry, runNamespace),
  }));

const namespacePeer = (namespace: string) => ({
  namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } },
});

export function allowlistPolicy(
  egress: Egress,
  allowlist: string,
  namespace: string,
  services: ServicePeer[],
): KubeObject {
  const port = egress.allowlists[allowlist]?.port;
  if (port === undefined) throw new Error(`egress.allowlists has no allowlist ${allowlist}`);
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: {
      name: allowlistPolicyName(allowlist),
      namespace,
      labels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.egress]: allowlist },
    },
    spec: {
      podSelector: {
        matchLabels: { [LABELS.managedBy]: MANAGED_BY, [LABELS.egress]: allowlist },
        matchExpressions: [{ key: LABELS.run, operator: 'Exists' }],
      },
      policyTypes: ['Egress'],
      egress: [
        {
          to: [
            {
              ...namespacePeer(egress.proxy.namespace),
              podSelector: { matchLabels: proxyPodLabels(egress) },
            },
          ],
          ports: [{ port, protocol: 'TCP' }],
        },
        ...services.map((s) => ({
          to: [{ ...namespacePeer(s.namespace), podSelector: { matchLabels: s.selector } }],
          ports: [{ port: s.targetPort, protocol: s.protocol }],
        })),
      ],
    },
  };
}

/** Each allowlist's policy in `namespace`, in name order, its Services read through `read`. */
export async function allowlistPolicies(
  egress: Egress,
  namespace: string,
  read: (namespace: string, name: string) => Promise<KubeObject>,
): Promise<KubeObject[]> {
  const out: KubeObject[] = [];
  for (const allowlist of Object.keys(egress.allowlists).sort()) {
    const peers: ServicePeer[] = [];
    for (const { entry, namespace: where } of allowlistServices(egress, allowlist, namespace))
      peers.push(servicePeer(entry, await read(where, entry.name)));
    out.push(allowlistPolicy(egress, allowlist, namespace, peers));
  }
  return out;
}
