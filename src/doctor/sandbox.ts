// The agent sandbox (config/agents: the agents' ServiceAccounts, NetworkPolicies, the cluster-access
// Role) in each namespace of runs, and every ServiceAccount an agent profile names: without them the
// Job controller cannot create an agent's pod, or the agent runs without its network rules.
import { isForbidden, isNotFound } from '../runtime/index.js';
import { type DoctorCheck, type DoctorFinding, ok, problem } from './check.js';

const NAME = 'agent-sandbox';

const plural = (kind: string) => {
  const lower = kind.toLowerCase();
  return lower.endsWith('y') ? `${lower.slice(0, -1)}ies` : `${lower}s`;
};

const objectPath = (apiVersion: string, kind: string, namespace: string, name: string) =>
  `${apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`}/namespaces/${namespace}/${plural(kind)}/${name}`;

export const sandboxCheck: DoctorCheck = {
  name: NAME,
  description: "config/agents and the profiles' ServiceAccounts in each namespace of runs",
  async run(ctx) {
    if (ctx.runNamespaces.length === 0)
      return [
        problem(
          NAME,
          'warning',
          'runs may live in any namespace: the agent sandbox checked in none',
          'orchestrator doctor -n <a namespace of runs>',
        ),
      ];
    const wanted = ctx.shipped.sandbox.map((o) => ({
      apiVersion: o.apiVersion as string,
      kind: o.kind as string,
      name: o.metadata?.name as string,
    }));
    for (const profile of Object.values(ctx.config.agents))
      if (
        profile.serviceAccountName &&
        !wanted.some((w) => w.kind === 'ServiceAccount' && w.name === profile.serviceAccountName)
      )
        wanted.push({ apiVersion: 'v1', kind: 'ServiceAccount', name: profile.serviceAccountName });
    const findings: DoctorFinding[] = [];
    for (const namespace of ctx.runNamespaces) {
      const missing: string[] = [];
      for (const w of wanted) {
        try {
          await ctx.client.request('GET', objectPath(w.apiVersion, w.kind, namespace, w.name));
        } catch (err) {
          // A starting manager may not read these (config/rbac grants it none): not its question.
          if (isForbidden(err) && ctx.atStart) continue;
          if (!isNotFound(err)) throw err;
          missing.push(`${w.kind} ${w.name}`);
        }
      }
      findings.push(
        missing.length
          ? problem(
              NAME,
              'error',
              `${namespace} lacks ${missing.join(', ')}: agents' pods ${missing.some((m) => m.startsWith('ServiceAccount')) ? 'cannot be created' : 'run without their network rules'}`,
              `orchestrator install -n ${namespace} (or kubectl apply -k config/agents -n ${namespace})`,
            )
          : ok(NAME, `the agent sandbox is in ${namespace}`),
      );
    }
    return findings;
  },
};
