// A client that authenticates as a ServiceAccount of a test namespace (a TokenRequest token), bound to
// one ClusterRole there and nothing else: a co-tenant (`edit`) or a stand-in for the manager.

import {
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from '../../../src/app/service-account.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { KubeClient } from '../../../src/runtime/index.js';
import { kubeConfig } from '../cluster/cluster.js';
import { REQUEST_LIMIT_MS } from '../util/wait.js';

export interface AccountClient {
  client: KubeClient;
  /** Its user name, as the apiserver's request.userInfo.username has it. */
  user: string;
}

/** ServiceAccount `name` of `home`, bound to ClusterRole `role` in each of `namespaces`. */
export async function serviceAccountClient(
  t: { teardown(fn: () => unknown): void },
  cluster: Cluster,
  admin: KubeClient,
  account: { home: string; name: string; role: string; namespaces: string[] },
): Promise<AccountClient> {
  const { home, name, role } = account;
  await admin.request('POST', `/api/v1/namespaces/${home}/serviceaccounts`, { body: { metadata: { name } } });
  for (const ns of account.namespaces)
    await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      body: {
        metadata: { name: `${name}-${role}` },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ kind: 'ServiceAccount', name, namespace: home }],
      },
    });
  const sa = { namespace: home, name };
  const token = await serviceAccountToken(admin, sa, 3600);
  const user = serviceAccountUser(sa);
  const client = new KubeClient(tokenKubeConfig(kubeConfig(cluster), token, user), {
    requestTimeoutMs: REQUEST_LIMIT_MS,
  });
  t.teardown(() => client.close());
  return { client, user };
}
