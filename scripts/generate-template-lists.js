// The lists of template files, generated from the templates/ tree (part of `npm run generate`): the
// ConfigMaps templates/kustomization.yaml makes (one per directory, since a ConfigMap key cannot hold
// "/") and the projected volume of config/manager/deployment.yaml that mounts them back into the same
// layout. A file added under templates/ is shipped by running `npm run generate`; the generate test
// (src/api/generate.test.ts) fails while either list is stale.
// Not shipped: kustomization.yaml itself and the tests beside the agent shell (*.test.ts).

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

export const TEMPLATES_DIR = 'templates';
export const TEMPLATES_KUSTOMIZATION_PATH = 'templates/kustomization.yaml';
export const DEPLOYMENT_PATH = 'config/manager/deployment.yaml';
/** The projected volume in the Deployment that rebuilds templates/. */
const VOLUME_LINE = /^(\s*)- name: templates\s*$/;

const shipped = (/** @type {string} */ rel) => rel !== 'kustomization.yaml' && !rel.endsWith('.test.ts');

/**
 * The shipped files of templates/, by directory ('' for the top), each sorted.
 * @param {string} rootDir
 * @returns {Map<string, string[]>} directory → file paths relative to templates/
 */
export function templateFiles(rootDir) {
  const dir = path.join(rootDir, TEMPLATES_DIR);
  const files = readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .filter(shipped)
    .sort();
  /** @type {Map<string, string[]>} */
  const byDir = new Map();
  for (const file of files) {
    const d = path.posix.dirname(file) === '.' ? '' : path.posix.dirname(file);
    byDir.set(d, [...(byDir.get(d) ?? []), file]);
  }
  return new Map([...byDir].sort(([a], [b]) => a.localeCompare(b)));
}

/** The ConfigMap of a templates/ directory: orchestrator-templates, orchestrator-templates-shared-hooks. */
export const configMapName = (/** @type {string} */ dir) =>
  dir ? `orchestrator-templates-${dir.split('/').join('-')}` : 'orchestrator-templates';

/**
 * templates/kustomization.yaml with its configMapGenerator made from the tree (comments kept).
 * @param {string} text the file as it is
 * @param {Map<string, string[]>} files from templateFiles
 */
export function templatesKustomization(text, files) {
  const doc = YAML.parseDocument(text);
  doc.set(
    'configMapGenerator',
    doc.createNode([...files].map(([dir, list]) => ({ name: configMapName(dir), files: list }))),
  );
  return doc.toString({ lineWidth: 0 });
}

/**
 * config/manager/deployment.yaml with the templates volume's sources made from the tree. The rest of
 * the file is kept byte for byte (its comments and flow style), so the block is replaced as text.
 * @param {string} text the file as it is
 * @param {Map<string, string[]>} files from templateFiles
 */
export function deploymentWithTemplates(text, files) {
  const lines = text.split('\n');
  // The volume, not the volumeMount of the same name: the one that is projected.
  const start = lines.findIndex((l, i) => VOLUME_LINE.test(l) && lines[i + 1]?.trim() === 'projected:');
  if (start < 0) throw new Error(`${DEPLOYMENT_PATH}: no projected volume "- name: templates"`);
  const indent = VOLUME_LINE.exec(lines[start] ?? '')?.[1]?.length ?? 0;
  const sources = start + 2;
  if (lines[sources]?.trim() !== 'sources:')
    throw new Error(`${DEPLOYMENT_PATH}: the templates volume's "projected:" must start with "sources:"`);
  // The sources end at the first line not indented deeper than the volume (the next volume, the end).
  let end = sources + 1;
  while (end < lines.length && (lines[end] ?? '').search(/\S/) > indent) end++;
  const pad = ' '.repeat(indent + 6);
  const block = [...files].flatMap(([dir, list]) => [
    `${pad}- configMap:`,
    `${pad}    name: ${configMapName(dir)}`,
    `${pad}    items:`,
    ...list.map((f) => `${pad}      - { key: ${path.posix.basename(f)}, path: ${f} }`),
  ]);
  return [...lines.slice(0, sources + 1), ...block, ...lines.slice(end)].join('\n');
}

/**
 * Both files, by path, as generated from the tree under rootDir.
 * @param {string} rootDir
 * @returns {Map<string, string>}
 */
export function templateLists(rootDir) {
  const files = templateFiles(rootDir);
  const read = (/** @type {string} */ p) => readFileSync(path.join(rootDir, p), 'utf8');
  return new Map([
    [TEMPLATES_KUSTOMIZATION_PATH, templatesKustomization(read(TEMPLATES_KUSTOMIZATION_PATH), files)],
    [DEPLOYMENT_PATH, deploymentWithTemplates(read(DEPLOYMENT_PATH), files)],
  ]);
}
