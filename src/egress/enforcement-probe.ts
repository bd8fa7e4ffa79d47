// Whether the cluster has a NetworkPolicy engine (docs/agent-pods.md "Egress", "What the cluster must
// provide"): without one, the agents' NetworkPolicies are stored and do nothing, and an agent that
// ignores the proxy variables reaches anything. Kubernetes has no API that says whether policies are
// enforced, so this looks for the engines' DaemonSets, by name and image. It answers "found" or "not
// known": an engine it does not know (or one run outside the cluster's pods, as the local real node's
// kube-router) reads as not known, never as absent. Called once at the operator's start (a log line)
// and by `orchestrator doctor`.
import type { ApiRequester, KubeObject } from '../runtime/index.js';

/** The NetworkPolicy engines recognised, by what their DaemonSet's name or image contains. */
export const POLICY_ENGINES: readonly { name: string; pattern: RegExp }[] = [
  { name: 'Calico', pattern: /calico-node|calico\/node/ },
  { name: 'Cilium', pattern: /cilium/ },
  { name: 'kube-router', pattern: /kube-router/ },
  { name: 'Antrea', pattern: /antrea-agent/ },
  { name: 'Weave Net', pattern: /weave-net|weave-npc/ },
  { name: 'Canal', pattern: /canal/ },
  { name: 'kube-network-policies', pattern: /kube-network-policies/ },
  { name: 'the AWS network policy agent', pattern: /aws-network-policy-agent/ },
  { name: 'Azure NPM', pattern: /azure-npm/ },
  { name: 'GKE Dataplane V2', pattern: /anetd/ },
];

export interface EnforcementVerdict {
  /** True when an engine was found; undefined when none known was (or the cluster could not be read). */
  enforced: true | undefined;
  /** The engine found. */
  engine?: string;
  /** One sentence for a log line or a doctor's check. */
  message: string;
}

const HINT =
  'if its CNI enforces no NetworkPolicy, the agents\' NetworkPolicies do nothing and an agent that ignores the proxy variables reaches any address (docs/agent-pods.md "Egress")';

/** The verdict from the cluster's DaemonSets. */
export function enforcementFromDaemonSets(daemonSets: KubeObject[]): EnforcementVerdict {
  for (const ds of daemonSets) {
    const spec = ds.spec as { template?: { spec?: { containers?: { image?: string }[] } } } | undefined;
    const names = [
      ds.metadata?.name ?? '',
      ...(spec?.template?.spec?.containers ?? []).map((c) => c.image ?? ''),
    ];
    const engine = POLICY_ENGINES.find((e) => names.some((n) => e.pattern.test(n)));
    if (engine)
      return {
        enforced: true,
        engine: engine.name,
        message: `NetworkPolicies are enforced by ${engine.name} (DaemonSet ${ds.metadata?.namespace}/${ds.metadata?.name})`,
      };
  }
  const known = POLICY_ENGINES.map((e) => e.name).join(', ');
  return {
    enforced: undefined,
    message: `no NetworkPolicy engine known to the operator (${known}) runs as a DaemonSet in this cluster: ${HINT}`,
  };
}

/** Reads the cluster's DaemonSets (at most 500) and says whether a known engine is among them. */
export async function networkPolicyEnforcement(
  client: ApiRequester,
  signal?: AbortSignal,
): Promise<EnforcementVerdict> {
  try {
    const list = await client.request<{ items?: KubeObject[] }>('GET', '/apis/apps/v1/daemonsets', {
      query: { limit: 500 },
      ...(signal ? { signal } : {}),
    });
    return enforcementFromDaemonSets(list.items ?? []);
  } catch (err) {
    return {
      enforced: undefined,
      message: `could not tell whether the cluster enforces NetworkPolicies (listing DaemonSets: ${(err as Error).message}): ${HINT}`,
    };
  }
}
