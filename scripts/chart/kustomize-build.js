// The kustomizations under config/ built in plain JavaScript, so that `npm run generate` can make the
// Helm chart from them without kubectl. Only the kustomize features these kustomizations use are here:
// resources (files and folders), components, namespace, labels (metadata only), configMapGenerator
// (files; labels, annotations, namespace, disableNameSuffixHash) and patches (JSON 6902 by target, and
// strategic-merge `$patch: delete`). Anything else is refused by name, so a kustomization that starts
// using more fails the generation rather than making a chart that differs from it; the chart is also
// compared with the real `kubectl kustomize` (test/integration/helm-chart.test.ts).
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { applyJsonPatch, matchesTarget } from './json-patch.js';

/**
 * @typedef {Record<string, any>} KubeObject
 * @typedef {{ key: string, file: string }} GeneratedFile
 * @typedef {{ object: KubeObject, source: string, generated?: { files: GeneratedFile[], hashed: boolean } }} Built
 * @typedef {(file: string) => string} ReadFile reads a file by absolute path (generated outputs first)
 */

const KUSTOMIZATION_FILES = ['kustomization.yaml', 'kustomization.yml', 'Kustomization'];
const SUPPORTED = new Set([
  'apiVersion',
  'kind',
  'resources',
  'components',
  'namespace',
  'labels',
  'configMapGenerator',
  'patches',
]);
const GENERATOR_KEYS = new Set(['name', 'namespace', 'files', 'options']);
const GENERATOR_OPTIONS = new Set(['labels', 'annotations', 'disableNameSuffixHash']);

/** Kinds without a namespace, which kustomize's namespace transformer leaves alone. */
export const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'PriorityClass',
  'StorageClass',
  'PersistentVolume',
  'IngressClass',
  'APIService',
]);

/** `kind/namespace/name`: an object's identity in a build. */
export const objectKey = (/** @type {KubeObject} */ o) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/** The kustomization file of `dir`, parsed; throws when there is none or it uses an unsupported field. */
export function readKustomization(/** @type {string} */ dir, /** @type {ReadFile} */ read) {
  const name = KUSTOMIZATION_FILES.find((f) => existsSync(path.join(dir, f)));
  if (!name) throw new Error(`${dir}: no kustomization file (${KUSTOMIZATION_FILES.join(', ')})`);
  const file = path.join(dir, name);
  const k = YAML.parse(read(file)) ?? {};
  const unsupported = Object.keys(k).filter((key) => !SUPPORTED.has(key));
  if (unsupported.length > 0)
    throw new Error(
      `${file}: ${unsupported.join(', ')} not supported by the chart generator (scripts/chart/kustomize-build.js supports ${[...SUPPORTED].join(', ')})`,
    );
  return { file, k };
}

/** Every YAML document of a file, as objects (empty documents skipped). */
function documents(/** @type {string} */ file, /** @type {ReadFile} */ read) {
  return YAML.parseAllDocuments(read(file))
    .map((d) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
      return d.toJS();
    })
    .filter((o) => o !== null && o !== undefined);
}

/**
 * A ConfigMap of a configMapGenerator entry; its files keep their paths for the chart, and `hashed`
 * says whether kustomize appends its content hash to the name.
 * @returns {Built}
 */
function generatedConfigMap(
  /** @type {string} */ dir,
  /** @type {any} */ g,
  /** @type {string} */ file,
  /** @type {ReadFile} */ read,
) {
  const where = `${file}: configMapGenerator ${g.name}`;
  const extra = Object.keys(g).filter((key) => !GENERATOR_KEYS.has(key));
  const options = Object.keys(g.options ?? {}).filter((key) => !GENERATOR_OPTIONS.has(key));
  if (extra.length + options.length > 0)
    throw new Error(`${where}: ${[...extra, ...options].join(', ')} not supported by the chart generator`);
  /** @type {GeneratedFile[]} */
  const files = (g.files ?? []).map((/** @type {string} */ f) => {
    const [key, rel] = f.includes('=') ? f.split('=', 2) : [path.basename(f), f];
    return { key: /** @type {string} */ (key), file: path.join(dir, /** @type {string} */ (rel)) };
  });
  const data = Object.fromEntries(files.map((f) => [f.key, read(f.file)]));
  const metadata = {
    name: g.name,
    ...(g.namespace ? { namespace: g.namespace } : {}),
    ...(g.options?.labels ? { labels: { ...g.options.labels } } : {}),
    ...(g.options?.annotations ? { annotations: { ...g.options.annotations } } : {}),
  };
  return {
    object: { apiVersion: 'v1', kind: 'ConfigMap', metadata, data },
    source: file,
    generated: { files, hashed: g.options?.disableNameSuffixHash !== true },
  };
}

/** Applies one `patches` entry to the objects (in place; a deleted object is removed). */
function applyPatch(
  /** @type {Built[]} */ built,
  /** @type {any} */ p,
  /** @type {string} */ dir,
  /** @type {string} */ file,
  /** @type {ReadFile} */ read,
) {
  const text = p.path ? read(path.join(dir, p.path)) : p.patch;
  const parsed = YAML.parse(text);
  if (Array.isArray(parsed)) {
    if (!p.target) throw new Error(`${file}: a JSON 6902 patch needs a target`);
    const hits = built.filter((b) => matchesTarget(b.object, p.target));
    for (const b of hits) b.object = applyJsonPatch(b.object, parsed, `${file}`);
    return built;
  }
  if (
    parsed?.$patch !== 'delete' ||
    Object.keys(parsed).some((k) => !['$patch', 'apiVersion', 'kind', 'metadata'].includes(k))
  )
    throw new Error(
      `${file}: only JSON 6902 patches and strategic-merge \`$patch: delete\` are supported by the chart generator`,
    );
  const victim = { kind: parsed.kind, name: parsed.metadata?.name, namespace: parsed.metadata?.namespace };
  return built.filter((b) => !matchesTarget(b.object, { ...victim, ...(p.target ?? {}) }));
}

/** kustomize's namespace transformer, for the fields our objects have. */
function setNamespace(/** @type {KubeObject} */ o, /** @type {string} */ namespace) {
  if (!CLUSTER_SCOPED.has(o.kind)) o.metadata = { ...o.metadata, namespace };
  if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')
    for (const s of o.subjects ?? []) if (s.kind === 'ServiceAccount') s.namespace = namespace;
  if (o.kind === 'MutatingWebhookConfiguration' || o.kind === 'ValidatingWebhookConfiguration')
    for (const w of o.webhooks ?? [])
      if (w.clientConfig?.service) w.clientConfig.service.namespace = namespace;
}

/** kustomize's `labels` without includeSelectors/includeTemplates: metadata.labels only. */
function addLabels(/** @type {KubeObject} */ o, /** @type {any[]} */ labels, /** @type {string} */ file) {
  for (const l of labels) {
    if (l.includeSelectors || l.includeTemplates || l.fields)
      throw new Error(
        `${file}: labels with includeSelectors, includeTemplates or fields are not supported by the chart generator`,
      );
    o.metadata = { ...o.metadata, labels: { ...o.metadata?.labels, ...l.pairs } };
  }
}

/**
 * Builds the kustomization in `dir` (or `given`, a kustomization as if it were in `dir`) as kustomize
 * does: resources, then components, then generators, then patches, namespace and labels. A Component
 * works on what its parent accumulated (`input`): its resources join it and its patches apply to all.
 * @param {string} dir
 * @param {ReadFile} read
 * @param {{ k: any, file: string }} [given]
 * @param {Built[]} [input]
 * @returns {Built[]}
 */
export function build(dir, read, given, input = []) {
  const { k, file } = given ?? readKustomization(dir, read);
  const isComponent = k.kind === 'Component';
  if (input.length > 0 && !isComponent)
    throw new Error(`${file}: listed as a component but not a kustomize Component`);
  /** @type {Built[]} */
  let built = [...input];
  for (const r of k.resources ?? []) {
    const target = path.resolve(dir, r);
    if (statSync(target).isDirectory()) built.push(...build(target, read));
    else for (const object of documents(target, read)) built.push({ object, source: target });
  }
  for (const c of k.components ?? []) built = build(path.resolve(dir, c), read, undefined, built);
  for (const g of k.configMapGenerator ?? []) built.push(generatedConfigMap(dir, g, file, read));
  for (const p of k.patches ?? []) built = applyPatch(built, p, dir, file, read);
  for (const b of built) {
    if (k.namespace) setNamespace(b.object, k.namespace);
    if (k.labels) addLabels(b.object, k.labels, file);
  }
  return built;
}
