// config/rbac/github-app-keys-role.yaml from the shipped controller config: the manager may read the
// Secret of each GitHub App the config names (githubApps and every profile's githubApp), by name only,
// so that the Apps are named in one place (the config). The chart derives the same list from its
// rendered config (orchestrator.appKeySecrets in charts/orchestrator/templates/_helpers.tpl).
import YAML from 'yaml';

export const APP_KEYS_ROLE_PATH = 'config/rbac/github-app-keys-role.yaml';

/**
 * The Secret names of the config's Apps, sorted: each App in lower case put into the names of
 * secrets.githubAppId and secrets.githubAppPrivateKey (src/controllers/agent/github-credentials.ts).
 * @param {string} configText
 * @returns {string[]}
 */
export function appKeySecrets(configText) {
  const config = YAML.parse(configText) ?? {};
  const apps = [
    ...(config.githubApps ?? []),
    ...Object.values(config.agents ?? {}).flatMap((/** @type {any} */ a) =>
      a.githubApp ? [a.githubApp] : [],
    ),
  ];
  const refs = [config.secrets?.githubAppId, config.secrets?.githubAppPrivateKey].filter(Boolean);
  const names = apps.flatMap((app) =>
    refs.map((/** @type {{name: string}} */ r) =>
      r.name.replaceAll('{githubApp}', String(app).toLowerCase()),
    ),
  );
  return [...new Set(names)].sort();
}

/**
 * The Role and its binding; with no App, a comment only (an empty resourceNames would grant every
 * Secret of the namespace).
 * @param {string} configText the shipped config
 * @param {string} header the generated-file line
 */
export function appKeysRole(configText, header) {
  const names = appKeySecrets(configText);
  const intro = `# ${header}
# The GitHub Apps' private keys live in the orchestrator's own namespace, readable by the manager only
# and only by name when the manager's role is bound per run namespace (config/overlays/namespaces); the
# default install's cluster-wide binding of orchestrator-manager also lets it read every Secret here
# (RBAC only adds; docs/security.md "What the install grants on Secrets"). One name per App of the
# controller config (githubApps and the profiles' githubApp): name your Apps there.
`;
  if (names.length === 0) return `${intro}# The shipped config names no App: nothing to grant.\n`;
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'orchestrator-github-app-keys', namespace: 'orchestrator-system' },
    rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: names }],
  };
  const binding = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'orchestrator-github-app-keys', namespace: 'orchestrator-system' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'orchestrator-github-app-keys' },
    subjects: [{ kind: 'ServiceAccount', name: 'orchestrator', namespace: 'orchestrator-system' }],
  };
  return `${intro}${YAML.stringify(role)}---\n${YAML.stringify(binding)}`;
}
