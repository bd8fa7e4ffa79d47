// The manager's permissions as installed against what it needs: every rule of the Roles and
// ClusterRoles this package binds to its ServiceAccount (config/rbac), asked verb by verb. What it
// needs is read from the shipped manifests, never listed here, so a rule added there is checked here.
import type { KubeObject } from '../runtime/index.js';
import { type AccessAttributes, type DoctorCheck, type DoctorContext, ok, problem } from './check.js';

const NAME = 'rbac';

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

interface Binding {
  kind: string;
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string }[];
  metadata?: { namespace?: string };
}

/** The roles the shipped bindings give the manager's ServiceAccount, with where they apply. */
function neededRoles(ctx: DoctorContext): { role: KubeObject; namespaced: boolean }[] {
  const bindings = ctx.shipped.rbac.filter(
    (o) =>
      (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') &&
      ((o as unknown as Binding).subjects ?? []).some(
        (s) => s.kind === 'ServiceAccount' && s.name === ctx.serviceAccount.name,
      ),
  ) as unknown as Binding[];
  return bindings.flatMap((b) => {
    const role = ctx.shipped.rbac.find(
      (o) => o.kind === b.roleRef.kind && o.metadata?.name === b.roleRef.name,
    );
    return role ? [{ role, namespaced: b.kind === 'RoleBinding' }] : [];
  });
}

/** Every (verb, resource, name) question a rule stands for. */
function questions(rule: Rule, namespace: string | undefined): AccessAttributes[] {
  const out: AccessAttributes[] = [];
  for (const group of rule.apiGroups ?? [''])
    for (const full of rule.resources ?? [])
      for (const verb of rule.verbs ?? [])
        for (const name of rule.resourceNames ?? [undefined]) {
          const [resource, subresource] = full.split('/') as [string, string | undefined];
          out.push({
            group,
            resource,
            verb,
            ...(subresource ? { subresource } : {}),
            ...(namespace ? { namespace } : {}),
            ...(name ? { name } : {}),
          });
        }
  return out;
}

const spell = (a: AccessAttributes) =>
  `${a.verb} ${a.resource}${a.subresource ? `/${a.subresource}` : ''}${a.group ? `.${a.group}` : ''}${a.name ? ` ${a.name}` : ''}`;

export const rbacCheck: DoctorCheck = {
  name: NAME,
  description: "the manager's ServiceAccount holds every permission config/rbac grants it",
  async run(ctx) {
    const user = `system:serviceaccount:${ctx.serviceAccount.namespace}:${ctx.serviceAccount.name}`;
    // A ClusterRole's namespaced rules matter where runs live (cluster-wide when every namespace).
    const clusterScopes = ctx.runNamespaces.length ? ctx.runNamespaces : [undefined];
    const missing = new Map<string, string[]>();
    for (const { role, namespaced } of neededRoles(ctx)) {
      for (const scope of namespaced ? [ctx.namespace] : clusterScopes) {
        for (const rule of ((role as { rules?: Rule[] }).rules ?? []) as Rule[]) {
          for (const q of questions(rule, scope)) {
            if (await ctx.can(q)) continue;
            const key = `${role.kind} ${role.metadata?.name}${scope ? ` in ${scope}` : ''}`;
            missing.set(key, [...(missing.get(key) ?? []), spell(q)]);
          }
        }
      }
    }
    if (missing.size === 0) return [ok(NAME, `${user} holds what config/rbac grants it`)];
    return [...missing].map(([where, denied]) =>
      problem(
        NAME,
        'error',
        `${user} may not ${denied.join(', ')} (the ${where} of config/rbac, not bound or changed)`,
        'kubectl apply -k config/rbac (orchestrator install does it); with config/overlays/namespaces, its RoleBinding in each namespace of runs',
      ),
    );
  },
};
