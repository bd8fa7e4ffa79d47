// Each GitHub App of the controller config (githubApps and the profiles' githubApp): its id and private key in the operator's
// namespace, the key a PEM private key, and readable by the manager (the App-key Role lists Secrets by
// name, so an App added to the config but not to the Role is refused at the first token).
import { createPrivateKey } from 'node:crypto';
import { configuredApps } from '../api/index.js';
import { appSecretName, SEED_APP_KEYS } from '../github/index.js';
import { type DoctorCheck, type DoctorFinding, ok, problem } from './check.js';
import { absence, secretKey } from './secret-keys.js';

const NAME = 'github-apps';

export const appKeysCheck: DoctorCheck = {
  name: NAME,
  description:
    "each configured GitHub App's id and private key in the operator's namespace, readable by the manager",
  async run(ctx) {
    const { githubAppId, githubAppPrivateKey } = ctx.config.secrets;
    const apps = configuredApps(ctx.config);
    if (apps.length === 0 || !githubAppId || !githubAppPrivateKey) return [];
    const ns = ctx.namespace;
    const findings: DoctorFinding[] = [];
    for (const app of apps) {
      const idName = appSecretName(githubAppId.name, app);
      const keyName = appSecretName(githubAppPrivateKey.name, app);
      const create = `kubectl -n ${ns} create secret generic ${keyName} --from-literal=${githubAppId.key}=<the App ID> --from-file=${githubAppPrivateKey.key}=<the .pem GitHub generated for ${app}>`;
      const before = findings.length;
      const id = await secretKey(ctx, ns, idName, githubAppId.key, SEED_APP_KEYS.id);
      if (id.state !== 'present')
        findings.push(
          problem(
            NAME,
            'error',
            `GitHub App ${app}: ${absence(id.state, ns, idName, githubAppId.key)}`,
            create,
          ),
        );
      else if (!/^\d+$/.test(id.value))
        findings.push(
          problem(
            NAME,
            'error',
            `GitHub App ${app}: ${ns}/${idName} key ${githubAppId.key} is not a numeric App ID`,
            create,
          ),
        );
      const key = await secretKey(ctx, ns, keyName, githubAppPrivateKey.key, SEED_APP_KEYS.privateKey);
      if (key.state !== 'present')
        findings.push(
          problem(
            NAME,
            'error',
            `GitHub App ${app}: ${absence(key.state, ns, keyName, githubAppPrivateKey.key)}`,
            create,
          ),
        );
      else if (!isPrivateKey(key.value))
        findings.push(
          problem(
            NAME,
            'error',
            `GitHub App ${app}: ${ns}/${keyName} key ${githubAppPrivateKey.key} is not a PEM private key`,
            create,
          ),
        );
      for (const name of new Set([idName, keyName]))
        if (!(await ctx.can({ group: '', resource: 'secrets', verb: 'get', namespace: ns, name })))
          findings.push(
            problem(
              NAME,
              'error',
              `GitHub App ${app}: the manager may not read the Secret ${ns}/${name}`,
              `name ${app} in the controller config (githubApps) and npm run generate, which adds ${name} to the Role orchestrator-github-app-keys (config/rbac/github-app-keys-role.yaml); then kubectl apply -k config/rbac (Helm: config.githubApps)`,
            ),
          );
      if (findings.length === before)
        findings.push(ok(NAME, `GitHub App ${app}: id and private key in ${ns}, readable by the manager`));
    }
    return findings;
  },
};

function isPrivateKey(pem: string): boolean {
  try {
    createPrivateKey(pem);
    return true;
  } catch {
    return false;
  }
}
