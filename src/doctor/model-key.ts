// The model provider's key where the agents' calls will look for it: with the model gateway, one Secret
// in the operator's namespace (gateway.upstream.apiKey; agents never see it); without, secrets.apiKey in
// every namespace of runs, mounted into the agents (docs/economics.md "The model gateway"). With the
// gateway on, a secrets.apiKey Secret left in a namespace of runs by an install from before it is named
// as what is left of the upgrade (docs/upgrading.md).
import { type DoctorCheck, type DoctorContext, type DoctorFinding, ok, problem } from './check.js';
import { absence, secretKey } from './secret-keys.js';

const NAME = 'model-key';

const createCommand = (namespace: string, name: string, key: string) =>
  `kubectl -n ${namespace} create secret generic ${name} --from-file=${key}=<a file holding the model API key>`;

/** With the gateway on: the namespaces of runs still holding secrets.apiKey's key, which no agent reads. */
async function leftovers(ctx: DoctorContext): Promise<DoctorFinding[]> {
  const ref = ctx.config.secrets.apiKey;
  if (!ctx.config.gateway?.enabled || !ref) return [];
  const findings: DoctorFinding[] = [];
  for (const namespace of ctx.runNamespaces) {
    if ((await secretKey(ctx, namespace, ref.name, ref.key)).state !== 'present') continue;
    findings.push(
      problem(
        NAME,
        'warning',
        `${namespace}/${ref.name} still holds a model key (secrets.apiKey, from before the gateway): no agent reads it while gateway.enabled is true; delete it, unless runs' envFromSecrets use its other keys`,
        `kubectl -n ${namespace} delete secret ${ref.name}`,
      ),
    );
  }
  return findings;
}

export const modelKeyCheck: DoctorCheck = {
  name: NAME,
  description:
    "the model API key: in the operator's namespace with the gateway, else in each namespace of runs",
  async run(ctx) {
    const gateway = ctx.config.gateway;
    const ref = gateway?.enabled ? gateway.upstream?.apiKey : ctx.config.secrets.apiKey;
    const field = gateway?.enabled ? 'gateway.upstream.apiKey' : 'secrets.apiKey';
    if (!ref)
      return [
        problem(
          NAME,
          'error',
          `the controller config names no ${field}: agents cannot reach the model`,
          `set ${field} in the controller config`,
        ),
      ];
    const namespaces = gateway?.enabled ? [ctx.namespace] : ctx.runNamespaces;
    if (namespaces.length === 0)
      return [
        problem(
          NAME,
          'warning',
          `runs may live in any namespace: ${field} (${ref.name}) checked in none`,
          'orchestrator doctor -n <a namespace of runs>',
        ),
      ];
    const findings: DoctorFinding[] = [];
    for (const namespace of namespaces) {
      const state = await secretKey(ctx, namespace, ref.name, ref.key);
      // A starting manager may not read the runs' Secrets (config/rbac grants none): not its question.
      if (state.state === 'unreadable' && ctx.atStart) continue;
      findings.push(
        state.state === 'present'
          ? ok(NAME, `the model key (${field}) is in ${namespace}/${ref.name}`)
          : problem(
              NAME,
              'error',
              `${absence(state.state, namespace, ref.name, ref.key)}: ${gateway?.enabled ? 'the gateway refuses every model call' : "the agents' pods cannot start (CreateContainerConfigError)"} (${field})`,
              createCommand(namespace, ref.name, ref.key),
            ),
      );
    }
    return [...findings, ...(await leftovers(ctx))];
  },
};
