// What `npm run generate` derives from the run kinds' CRD metadata (the `x-orchestrator-crd` key of each
// run schema): the typed kind table in src/api/generated/kinds.ts, the webhook configurations in
// webhooks/, and the orchestrator.io rules of the manager's ClusterRole. A fourth kind is a schema file
// (and a strategy in src/controllers): every list of kinds follows from here (docs/design.md §2).

import YAML from 'yaml';

/**
 * @typedef {import('./generate.js').SourceSchema} SourceSchema
 * @typedef {import('./generate.js').CrdInfo} CrdInfo
 */

export const KINDS_PATH = 'src/api/generated/kinds.ts';
export const MUTATING_PATH = 'webhooks/mutating.yaml';
export const VALIDATING_PATH = 'webhooks/validating.yaml';
export const MANAGER_ROLE_PATH = 'config/rbac/manager-role.yaml';
/** The REST API's ClusterRole: its orchestrator.io rules are derived like the manager's. */
export const API_ROLE_PATH = 'config/rbac/api-role.yaml';
export const CRD_KUSTOMIZATION_PATH = 'crds/Kustomization';

/** Run-kind facts beyond the CRD names that every run schema must state. */
const REQUIRED_RUN_FACTS = ['finalizer', 'templateDir'];

/**
 * Checks the run facts of a CRD schema (called by parseSchema).
 * @param {CrdInfo} crd
 * @param {string} file
 */
export function checkRunFacts(crd, file) {
  for (const key of REQUIRED_RUN_FACTS) {
    if (typeof crd[key] !== 'string')
      throw new Error(`schemas/${file}: x-orchestrator-crd.${key} must be a string`);
  }
  if (!Number.isInteger(crd.order))
    throw new Error(`schemas/${file}: x-orchestrator-crd.order must be an integer`);
}

/**
 * The table row of one kind, in a stable key order.
 * @param {SourceSchema} source
 */
function row(source, /** @type {string} */ group, /** @type {string} */ version) {
  const crd = /** @type {CrdInfo} */ (source.crd);
  const webhook = (/** @type {'validate' | 'mutate'} */ verb) => ({
    name: webhookName(verb, group, crd.kind),
    path: webhookPath(verb, group, version, crd.kind),
  });
  return {
    kind: crd.kind,
    group,
    version,
    plural: crd.plural,
    singular: crd.singular,
    listKind: crd.listKind ?? `${crd.kind}List`,
    shortNames: crd.shortNames ?? [],
    schemaFile: source.file,
    finalizer: crd.finalizer,
    ...(crd.attemptField ? { attemptField: crd.attemptField } : {}),
    templateDir: crd.templateDir,
    ...(crd.serviceField ? { serviceField: crd.serviceField } : {}),
    ...(crd.taskIdField ? { taskIdField: crd.taskIdField } : {}),
    webhooks: { validate: webhook('validate'), mutate: webhook('mutate') },
  };
}

/**
 * src/api/generated/kinds.ts: the kind table, each kind's object type, and every schema file by name.
 * @param {SourceSchema[]} sources every schema, the kinds in their order
 * @param {string} group
 * @param {string} version
 * @param {string} header
 */
export function kindsModule(sources, group, version, header) {
  const kinds = sources.filter((s) => s.crd);
  const imports = kinds.map(
    (s) =>
      `import type { components as ${s.name}Components } from './${s.file.replace(/\.schema\.yaml$/, '')}.js';`,
  );
  const table = Object.fromEntries(kinds.map((s) => [s.name, row(s, group, version)]));
  const files = Object.fromEntries(sources.map((s) => [s.name, s.file]));
  const objects = kinds.map((s) => `  ${s.name}: ${s.name}Components['schemas']['${s.name}'];`);
  return [
    `/* ${header}. */`,
    '',
    ...imports,
    '',
    `/** The API group of every run kind. */`,
    `export const GROUP = ${JSON.stringify(group)};`,
    `/** The API version of every run kind. */`,
    `export const VERSION = ${JSON.stringify(version)};`,
    '',
    '/** The run kinds and their facts, from the `x-orchestrator-crd` key of each run schema. */',
    `export const RUN_KIND_TABLE = ${JSON.stringify(table, null, 2)} as const;`,
    '',
    '/** The name of a run kind. */',
    'export type RunKindName = keyof typeof RUN_KIND_TABLE;',
    '/** One row of the kind table. */',
    'export type RunKindFacts = (typeof RUN_KIND_TABLE)[RunKindName];',
    '',
    "/** Each run kind's object type, as generated from its schema. */",
    'export interface RunObjects {',
    ...objects,
    '}',
    '',
    '/** Every schema file in schemas/, by the type name it defines. */',
    `export const SCHEMA_FILES = ${JSON.stringify(files, null, 2)} as const;`,
    '',
  ].join('\n');
}

/** The webhook path of a kind, as controller-runtime spells it: from the kind, lower case. */
export const webhookPath = (
  /** @type {'validate' | 'mutate'} */ verb,
  /** @type {string} */ group,
  /** @type {string} */ version,
  /** @type {string} */ kind,
) => `/${verb}-${group.replaceAll('.', '-')}-${version}-${kind.toLowerCase()}`;

/** The webhook name of a kind: `v` or `m`, the kind in lower case, the group. */
export const webhookName = (
  /** @type {'validate' | 'mutate'} */ verb,
  /** @type {string} */ group,
  /** @type {string} */ kind,
) => `${verb === 'validate' ? 'v' : 'm'}${kind.toLowerCase()}.${group}`;

const WEBHOOK_COMMENT = {
  validate: 'Validating webhooks',
  mutate: 'Mutating (defaulting) webhooks',
};

/**
 * webhooks/{validating,mutating}.yaml: one webhook per kind, behind the orchestrator-webhook Service.
 * @param {'validate' | 'mutate'} verb
 * @param {SourceSchema[]} sources
 * @param {string} group
 * @param {string} version
 * @param {string} header
 */
export function webhookManifest(verb, sources, group, version, header) {
  const mutating = verb === 'mutate';
  const manifest = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: mutating ? 'MutatingWebhookConfiguration' : 'ValidatingWebhookConfiguration',
    metadata: {
      name: mutating ? 'orchestrator-mutating' : 'orchestrator-validating',
      labels: { 'app.kubernetes.io/name': 'orchestrator' },
      annotations: { 'cert-manager.io/inject-ca-from': 'orchestrator-system/orchestrator-webhook' },
    },
    webhooks: sources
      .filter((s) => s.crd)
      .map((s) => {
        const crd = /** @type {CrdInfo} */ (s.crd);
        return {
          name: webhookName(verb, group, crd.kind),
          clientConfig: {
            service: {
              namespace: 'orchestrator-system',
              name: 'orchestrator-webhook',
              path: webhookPath(verb, group, version, crd.kind),
              port: 443,
            },
          },
          rules: [
            {
              apiGroups: [group],
              apiVersions: [version],
              operations: ['CREATE', 'UPDATE'],
              resources: [crd.plural],
              scope: 'Namespaced',
            },
          ],
          admissionReviewVersions: ['v1'],
          sideEffects: 'None',
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          timeoutSeconds: 5,
          ...(mutating ? { reinvocationPolicy: 'IfNeeded' } : {}),
        };
      }),
  };
  const comment = [
    `# ${header}.`,
    `# ${WEBHOOK_COMMENT[verb]} for the ${group} run resources. The apiserver reaches the webhook server`,
    "# through the orchestrator-webhook Service; the caBundle is injected by cert-manager's cainjector in",
    '# production (config/cert-manager) and by `orchestrator install` / the test harness locally, which also',
    '# swap the service reference for a URL when the webhook server runs outside the cluster.',
  ];
  return `${comment.join('\n')}\n${flowScalarLists(new YAML.Document(manifest))}`;
}

/** Lists of scalars in flow style (`[CREATE, UPDATE]`), as the hand-written manifests were. */
function flowScalarLists(/** @type {YAML.Document} */ doc) {
  YAML.visit(doc, {
    Seq: (_key, seq) => {
      if (seq.items.every((i) => YAML.isScalar(i))) seq.flow = true;
    },
  });
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * The manager's ClusterRole with its orchestrator.io rules' resources derived from the kinds: each rule
 * of that group keeps its verbs and comment, and lists every kind's plural with the rule's subresource.
 * @param {string} text the current config/rbac/manager-role.yaml
 * @param {SourceSchema[]} sources
 * @param {string} group
 */
export function managerRole(text, sources, group) {
  const plurals = sources.filter((s) => s.crd).map((s) => /** @type {CrdInfo} */ (s.crd).plural);
  const doc = YAML.parseDocument(text);
  const rules = /** @type {YAML.YAMLSeq} */ (doc.get('rules'));
  for (const rule of rules.items) {
    const map = /** @type {YAML.YAMLMap} */ (rule);
    const groups = /** @type {YAML.YAMLSeq} */ (map.get('apiGroups'));
    if (!groups.items.some((g) => YAML.isScalar(g) && g.value === group)) continue;
    const resources = /** @type {YAML.YAMLSeq} */ (map.get('resources'));
    const first = String(/** @type {YAML.Scalar} */ (resources.items[0]).value);
    const sub = first.includes('/') ? first.slice(first.indexOf('/')) : '';
    const derived = doc.createNode(plurals.map((p) => `${p}${sub}`));
    derived.flow = true;
    map.set('resources', derived);
  }
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * crds/Kustomization: every generated CRD, for config/default. Named `Kustomization`, not
 * kustomization.yaml, so that `kubectl apply -f crds/` keeps working (it reads every *.yaml there).
 * @param {string[]} crdFiles the CRD files' names in crds/
 * @param {string} header
 */
export function crdKustomization(crdFiles, header) {
  const comment = [
    `# ${header}.`,
    '# kustomize entry for the generated CRDs (config/default includes this directory). Named `Kustomization`,',
    '# not kustomization.yaml, so that `kubectl apply -f crds/` keeps working (it reads every *.yaml here).',
  ];
  const body = {
    apiVersion: 'kustomize.config.k8s.io/v1beta1',
    kind: 'Kustomization',
    resources: [...crdFiles].sort(),
  };
  return `${comment.join('\n')}\n${YAML.stringify(body)}`;
}
