// The Argo side's GitHub Apps derive from the controller config (decision 0053): the WorkflowTemplates'
// App parameters read the generated ConfigMap orchestrator-argo-apps, the Sensor github-play-gates'
// ignored pushers and the EventSource's organisation come from the kustomization's settings; the
// shipped files name no App and no organisation, and an install's config names them all.
import t from 'tap';
import {
  ARGO_APP_ROLES,
  ARGO_APPS_CONFIGMAP,
  argoApps,
  OPTIONAL_ARGO_APPS,
  playGatesIgnoredSenders,
} from '../../scripts/generate-argo-apps.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { argoFilesFor } from '../harness/deploy/argo-kustomize.js';
import {
  ARGO_CONFIG,
  argoObjects,
  argumentsOf,
  configMapsOf,
  fieldAt,
  type Parameter,
  workflowTemplate,
  workflowTemplates,
} from '../harness/deploy/argo-manifests.js';
import { seedConfig, withApps } from '../harness/util/app-configs.js';

/** config/argo as shipped: its generated files as they are on disk. */
const shipped = argoObjects(ARGO_CONFIG, new Map());
const seed = argoObjects();

const appParameters = (wt: { spec: { arguments?: { parameters?: Parameter[] }; templates: unknown[] } }) =>
  [
    ...(wt.spec.arguments?.parameters ?? []),
    ...(wt.spec.templates as { inputs?: { parameters?: Parameter[] } }[]).flatMap(
      (tp) => tp.inputs?.parameters ?? [],
    ),
  ].filter((p) => /(^|-)app$/.test(p.name));

const ignoredSenders = (objects: KubeObject[]) => {
  const sensor = objects.find((o) => o.kind === 'Sensor' && o.metadata?.name === 'github-play-gates');
  if (!sensor) throw new Error('no Sensor github-play-gates');
  const push = (sensor.spec as { dependencies: { name: string; filters: unknown }[] }).dependencies.find(
    (d) => d.name === 'push',
  );
  const filter = (
    fieldAt(push, 'filters.data') as { path: string; value: string[]; comparator?: string }[]
  ).find((f) => f.path === 'body.sender.login');
  return { comparator: filter?.comparator, pattern: new RegExp(String(filter?.value[0])) };
};

t.test(
  'every App parameter reads its stage’s App from orchestrator-argo-apps, with no App of its own',
  async (t) => {
    const expected: Record<string, string> = {
      'coderun-template': 'implementation-app',
      'docsrun-template': 'documentation-app',
    };
    for (const wt of workflowTemplates(shipped)) {
      for (const p of appParameters(wt)) {
        const where = `${wt.metadata?.name}: ${p.name}`;
        // Inputs fed by the caller (the DAG's and the play's `agent`) have no default at all.
        if (!p.valueFrom) {
          t.ok(p.value === undefined && p.default === undefined, `${where} has no literal App`);
          continue;
        }
        t.equal(p.value ?? p.default, undefined, `${where} has no literal App`);
        t.equal(p.valueFrom.configMapKeyRef?.name, ARGO_APPS_CONFIGMAP, `${where} reads the Apps' ConfigMap`);
        const key = String(p.valueFrom.configMapKeyRef?.key);
        if (OPTIONAL_ARGO_APPS.includes(key))
          t.equal(p.valueFrom.default, '', `${where}: no App skips the stage`);
        else
          t.equal(
            p.valueFrom.default,
            undefined,
            `${where}: a missing App fails the workflow, naming the key`,
          );
        t.equal(p.valueFrom.configMapKeyRef?.key, expected[String(wt.metadata?.name)] ?? p.name, where);
        t.ok(
          Object.keys(ARGO_APP_ROLES).includes(String(p.valueFrom.configMapKeyRef?.key)),
          `${where}: a key made`,
        );
      }
    }
    const apps = shipped.find((o) => o.kind === 'ConfigMap' && o.metadata?.name === ARGO_APPS_CONFIGMAP);
    t.same(apps?.data, {}, 'the shipped config names no App, so neither does the ConfigMap');
    t.equal(
      apps?.metadata?.labels?.['workflows.argoproj.io/configmap-type'],
      'Parameter',
      'labelled as Argo Workflows requires of a parameters ConfigMap',
    );
  },
);

t.test('an install’s Apps reach the templates, the Sensor and nothing else', async (t) => {
  t.same(argumentsOf(workflowTemplate('orchestrator-dag', seed).spec), {
    ...argumentsOf(workflowTemplate('orchestrator-dag', seed).spec),
    'implementation-app': '5DLabs-Rex',
    'quality-app': '5DLabs-Cleo',
    'testing-app': '5DLabs-Tess',
  });
  t.match(argumentsOf(workflowTemplate('docsrun-template', seed).spec), { 'github-app': '5DLabs-Morgan' });
  const { comparator, pattern } = ignoredSenders(seed);
  t.equal(comparator, '!=', 'a push by one of them is not a push that restarts the round');
  for (const login of ['5dlabs-cleo[bot]', '5dlabs-tess[bot]', '5DLabs-Tess[bot]'])
    t.ok(pattern.test(login), `${login} is the quality or testing App`);
  for (const login of ['5dlabs-rex[bot]', 'alice', '5dlabs-cleo', 'x5dlabs-cleo[bot]', '5dlabs-cleox[bot]'])
    t.notOk(pattern.test(login), `${login} is not`);
  const shippedSenders = ignoredSenders(shipped).pattern;
  for (const login of ['5dlabs-cleo[bot]', 'alice', 'acme-cleo[bot]'])
    t.notOk(shippedSenders.test(login), `the shipped Sensor ignores no pusher (${login})`);
  const source = shipped.find((o) => o.kind === 'EventSource');
  t.same(
    fieldAt(source, 'spec.github.org.organizations'),
    [''],
    'the shipped EventSource names no organisation',
  );
  t.notOk(
    shipped.some((o) => o.metadata?.annotations?.['config.kubernetes.io/local-config']),
    'the settings kustomize reads are not applied',
  );
});

t.test('a stage’s App is the first profile of its role naming one', async (t) => {
  t.same(argoApps(loadDefaultConfig()), {}, 'the shipped config names none');
  t.same(argoApps(seedConfig()), {
    'implementation-app': '5DLabs-Rex',
    'quality-app': '5DLabs-Cleo',
    'testing-app': '5DLabs-Tess',
    'documentation-app': '5DLabs-Morgan',
  });
  // blaze (implementation too) comes after rex; a role whose profiles name no App has no key.
  t.same(argoApps(withApps(loadDefaultConfig(), { blaze: 'acme-blaze', morgan: 'acme-docs' })), {
    'implementation-app': 'acme-blaze',
    'documentation-app': 'acme-docs',
  });
  const files = argoFilesFor(withApps(loadDefaultConfig(), { tess: 'acme.tess' }));
  const objects = argoObjects(ARGO_CONFIG, files);
  const { pattern } = ignoredSenders(objects);
  t.ok(pattern.test('acme.tess[bot]'), 'the testing App alone');
  t.notOk(pattern.test('acmeXtess[bot]'), 'its name matched as written, not as a pattern');
  t.equal(playGatesIgnoredSenders({}), '^$');
  const play = argumentsOf(workflowTemplate('orchestrator-play', objects).spec, configMapsOf(objects));
  t.equal(play['testing-app'], 'acme.tess', 'and the play’s testing stage');
  t.notOk('implementation-app' in play, 'a stage with no App has none');
});
