// Local mode's egress by allowlist (on by default): what an install applies for it, applied to the
// embedded cluster: the manager's rights on the proxy's pods (config/egress), the proxy's ConfigMap,
// Deployment, Service and NetworkPolicy in the operator's namespace, and the allowlists' NetworkPolicies
// in the namespace of runs. The fake nodes' control plane runs no Deployment controller, so the proxy
// gets pods only where the real node's does (docs/local-cluster.md "The model gateway and egress").
import { join } from 'node:path';
import type { ControllerConfig } from '../api/index.js';
import { renderKustomization } from '../cluster/index.js';
import { allowlistPolicies, proxyObjects } from '../egress/index.js';
import type { ApiRequester, KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';

export async function localEgressObjects(
  client: ApiRequester,
  kubectl: string[],
  config: ControllerConfig,
  runsNamespace: string,
): Promise<KubeObject[]> {
  if (!config.egress.enabled) return [];
  const policies = await allowlistPolicies(config.egress, runsNamespace, (ns, name) =>
    client.request<KubeObject>('GET', `/api/v1/namespaces/${ns}/services/${name}`),
  );
  return [
    ...renderKustomization(kubectl, join(packageRoot(), 'config', 'egress')),
    ...proxyObjects(config),
    ...policies,
  ];
}
