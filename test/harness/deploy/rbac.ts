// RBAC rules as sets of permissions, and config/rbac moved into a test's namespace: what the tests
// that prove a role exactly (rbac.test.ts: the manager's, rest-api.test.ts: the REST API's) share.
import type { KubeObject } from '../../../src/runtime/index.js';
import { permission } from '../clients/recording-client.js';

export interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
}

/** A subject of a RoleBinding. */
export type Subject =
  | { kind: 'ServiceAccount'; name: string; namespace: string }
  | { kind: 'User'; name: string };

/** A Role `name` in `namespace` with `rules`, and its RoleBinding to `subject`: a grant, as an admin writes one. */
export function roleGrant(namespace: string, name: string, subject: Subject, rules: object[]): KubeObject[] {
  const group = 'rbac.authorization.k8s.io';
  return [
    { apiVersion: `${group}/v1`, kind: 'Role', metadata: { name, namespace }, rules } as KubeObject,
    {
      apiVersion: `${group}/v1`,
      kind: 'RoleBinding',
      metadata: { name, namespace },
      roleRef: { apiGroup: group, kind: 'Role', name },
      subjects: [subject.kind === 'User' ? { apiGroup: group, ...subject } : subject],
    } as KubeObject,
  ];
}

/** Every permission (`verb group/resource[/subresource]`) the rules grant. */
export function granted(rules: Rule[]): Set<string> {
  const out = new Set<string>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [])
      for (const resource of rule.resources ?? []) {
        const [name = '', subresource = ''] = resource.split('/');
        for (const verb of rule.verbs ?? [])
          out.add(permission({ verb, group, resource: name, subresource }));
      }
  return out;
}

/** config/rbac moved into `namespace`, cluster-wide names suffixed: no test shares a binding. */
export function isolated(objects: KubeObject[], namespace: string): KubeObject[] {
  return objects
    .filter((o) => o.kind !== 'Namespace')
    .map((o) => {
      const copy = structuredClone(o) as KubeObject & {
        roleRef?: { name: string };
        subjects?: { namespace?: string }[];
      };
      const meta = copy.metadata ?? {};
      if (o.kind?.startsWith('Cluster')) meta.name = `${meta.name}-${namespace}`;
      else meta.namespace = namespace;
      if (o.kind === 'ClusterRoleBinding' && copy.roleRef) copy.roleRef.name += `-${namespace}`;
      for (const subject of copy.subjects ?? []) subject.namespace = namespace;
      return copy;
    });
}

/** The members of `a` not in `b`, sorted. */
export const difference = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).sort();
