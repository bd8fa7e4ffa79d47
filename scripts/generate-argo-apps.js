// The Argo side's GitHub Apps, derived from the controller config (decision 0053): the Apps are named
// once, in the config (githubApps and each profile's githubApp, decision 0044), and the Argo manifests
// read them from two generated files instead of defaulting to anybody's Apps.
//   config/argo/workflows/apps.yaml         ConfigMap orchestrator-argo-apps, which the WorkflowTemplates'
//                                           App parameters read (valueFrom.configMapKeyRef)
//   config/argo/events/play-gates-apps.yaml the bot logins of the quality and testing Apps, which
//                                           config/argo/events/kustomization.yaml puts into the Sensor
//                                           github-play-gates (a push by them does not restart the round)
// A stage's App is the App of the first profile (in the config's order) with that stage's role that
// names one; with none, its key is absent and a workflow that needs it fails at start naming the key.
//   node scripts/generate-argo-apps.js CONFIG   writes the two files from another config than the
//                                               shipped one (an install's, e.g. a Helm release's)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';

export const ARGO_APPS_PATH = 'config/argo/workflows/apps.yaml';
export const ARGO_EVENTS_APPS_PATH = 'config/argo/events/play-gates-apps.yaml';
export const ARGO_APPS_CONFIGMAP = 'orchestrator-argo-apps';
export const ARGO_EVENTS_APPS_CONFIGMAP = 'orchestrator-argo-play-gates-apps';

/** The ConfigMap's keys and the profile role each is the App of. */
export const ARGO_APP_ROLES = Object.freeze({
  'implementation-app': 'implementation',
  'quality-app': 'quality',
  'testing-app': 'testing',
  'documentation-app': 'documentation',
  'deploy-app': 'deploy',
  'acceptance-app': 'acceptance',
});

/** Keys of optional stages: a parameter reading one defaults to empty (the stage skipped), not failing. */
export const OPTIONAL_ARGO_APPS = Object.freeze(['deploy-app', 'acceptance-app']);

/**
 * Each stage's App (ARGO_APP_ROLES' keys), for the stages some profile with an App has.
 * @param {{ agents?: Record<string, { role?: string, githubApp?: string }> }} config a parsed config
 * @returns {Record<string, string>}
 */
export function argoApps(config) {
  const profiles = Object.values(config.agents ?? {});
  /** @type {Record<string, string>} */
  const apps = {};
  for (const [key, role] of Object.entries(ARGO_APP_ROLES)) {
    const app = profiles.find((p) => p.role === role && p.githubApp)?.githubApp;
    if (app) apps[key] = app;
  }
  return apps;
}

const escapeRegex = (/** @type {string} */ s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The regular expression (Go's syntax, and JavaScript's) a push's sender.login matches when the push is
 * by the quality or testing App: `{app}[bot]`, the App's name without regard to case (its login is the
 * App's slug). With neither App, `^$`, which no login matches.
 * @param {Record<string, string>} apps from argoApps
 */
export function playGatesIgnoredSenders(apps) {
  const names = [...new Set(['quality-app', 'testing-app'].flatMap((k) => (apps[k] ? [apps[k]] : [])))];
  if (names.length === 0) return '^$';
  return `^(?i:${names.map(escapeRegex).join('|')})\\[bot\\]$`;
}

const parse = (/** @type {string} */ configText) => YAML.parse(configText) ?? {};

/**
 * config/argo/workflows/apps.yaml.
 * @param {string} configText the controller config
 * @param {string} header the generated-file line
 */
export function argoAppsConfigMap(configText, header) {
  const apps = argoApps(parse(configText));
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    // Argo Workflows reads parameters only from a ConfigMap so labelled.
    metadata: { name: ARGO_APPS_CONFIGMAP, labels: { 'workflows.argoproj.io/configmap-type': 'Parameter' } },
    data: apps,
  };
  return `# ${header}
# Each stage's GitHub App, which the WorkflowTemplates' App parameters default to (docs/argo.md "The
# Apps"): the App of the config's first profile with the stage's role (implementation, quality,
# testing, documentation, deploy, acceptance). Name your Apps in the controller config and run
# \`npm run generate\`; a stage without an App has no key here, and a workflow that needs it fails at
# start naming the key (the optional deploy and acceptance stages are skipped instead).
${YAML.stringify(configMap)}`;
}

/**
 * config/argo/events/play-gates-apps.yaml: a ConfigMap kustomize reads and does not apply (local-config).
 * @param {string} configText the controller config
 * @param {string} header the generated-file line
 */
export function argoEventsAppsConfigMap(configText, header) {
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ARGO_EVENTS_APPS_CONFIGMAP,
      annotations: { 'config.kubernetes.io/local-config': 'true' },
    },
    data: { 'ignored-senders': playGatesIgnoredSenders(argoApps(parse(configText))) },
  };
  return `# ${header}
# The logins whose pushes do not restart the play's quality round: the bots of the config's quality
# and testing Apps (the Apps of orchestrator-argo-apps). kustomization.yaml puts the value into the
# Sensor github-play-gates; kustomize does not apply this object (local-config).
${YAML.stringify(configMap)}`;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [file, ...rest] = process.argv.slice(2);
  if (!file || rest.length > 0) {
    process.stderr.write('usage: node scripts/generate-argo-apps.js CONTROLLER_CONFIG_FILE\n');
    process.exit(2);
  }
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
  const text = readFileSync(file, 'utf8');
  const header = `generated by scripts/generate-argo-apps.js from ${path.basename(file)}; do not edit`;
  writeFileSync(path.join(root, ARGO_APPS_PATH), argoAppsConfigMap(text, header));
  writeFileSync(path.join(root, ARGO_EVENTS_APPS_PATH), argoEventsAppsConfigMap(text, header));
  process.stdout.write(
    `wrote ${ARGO_APPS_PATH}, ${ARGO_EVENTS_APPS_PATH}: ${JSON.stringify(argoApps(YAML.parse(text) ?? {}))}\n`,
  );
}
