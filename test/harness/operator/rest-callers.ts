// The REST API's callers in tests: ServiceAccounts with a Role over the runs of one namespace (and the
// `use` grants the runs need).

import { serviceAccountUser } from '../../../src/app/service-account.js';
import type { Cluster } from '../../../src/cluster/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { applyObjects } from '../deploy/kustomize.js';

/**
 * A caller `name` in `home` allowed create/get/list/patch on the runs in `namespace` only (with the
 * agent profiles rex and morgan and acme's repositories, which the runs there use), and besides, with
 * `clusterRole`, what that ClusterRole allows there (e.g. `cluster-admin`).
 */
export async function restCaller(
  cluster: Cluster,
  home: string,
  namespace: string,
  name = 'pm',
  clusterRole?: string,
) {
  const binding = (roleRef: { kind: string; name: string }, suffix = ''): KubeObject =>
    ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: `${name}${suffix}`, namespace },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...roleRef },
      subjects: [{ kind: 'ServiceAccount', name, namespace: home }],
    }) as KubeObject;
  const objects: KubeObject[] = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: home } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name, namespace },
      rules: [
        {
          apiGroups: ['orchestrator.io'],
          resources: ['agenttaskruns', 'coderuns', 'docsruns'],
          verbs: ['create', 'get', 'list', 'patch'],
        },
        // The profiles and App repositories of the runs created here (docs/security.md).
        {
          apiGroups: ['orchestrator.io'],
          resources: ['agentprofiles'],
          resourceNames: ['rex', 'morgan'],
          verbs: ['use'],
        },
        {
          apiGroups: ['orchestrator.io'],
          resources: ['repositories'],
          resourceNames: ['github.com/acme/*'],
          verbs: ['use'],
        },
      ],
    } as KubeObject,
    binding({ kind: 'Role', name }),
    ...(clusterRole ? [binding({ kind: 'ClusterRole', name: clusterRole }, `-${clusterRole}`)] : []),
  ];
  const applied = await applyObjects(cluster, objects);
  if (applied.code !== 0) throw new Error(applied.stderr);
  return { user: serviceAccountUser({ namespace: home, name }) };
}
