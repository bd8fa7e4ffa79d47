#!/usr/bin/env node
// `npm run cycles` (part of `npm run lint`): the import graph of src/, test/ and scripts/ as madge
// resolves it, checked for three things: no import cycle, no upward import between src/'s top-level
// folders, and no import from one folder into another past its index.ts (its door). The layers are written once, as the "Layers and folders" table of src/README.md (a row per
// folder: its layer, lowest first, and what it holds); this script reads that table, and a table it
// cannot read is itself a failure. A folder's code may import folders of lower layers only (folders of
// one layer are independent of each other), and never test/ or scripts/, which stand above src/. Tests
// are exempt, as Kubernetes' import-boss exempts _test.go files: a test beside its code
// (`src/<folder>/<name>.test.ts`) may drive it with what stands above it (the shipped config, the webhook
// routes), which is the point of many of them.
// Usage: node scripts/check-imports.js [--root DIR]; exits 1 naming each cycle and each upward import.
import { readdirSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import madge from 'madge';

/** Where the layers are written, relative to the root. */
export const LAYERS_DOC = 'src/README.md';
/** The heading of the section whose first table is the layer table. */
const LAYERS_HEADING = '## Layers and folders';
/** A row: `| 0 | [`util`](util/index.ts) | … |` or `| 0 | `util` | … |`. */
const ROW = /^\|\s*(\S+?)\s*\|\s*(?:\[`([^`]*)`\]\([^)]*\)|`([^`]*)`)\s*\|.*\|\s*$/;
const FOLDER = /^[a-z][a-z0-9-]*$/;

/**
 * The layers written in `markdown` (src/README.md), lowest first: the rows of the first table under
 * LAYERS_HEADING, each `| layer | folder | holds |`. Throws an Error naming every problem, each with its
 * line, when the section or table is missing or a row is not a layer (a number, the same or one above
 * the row before it, starting at 0), a folder (a backticked name, once) and what it holds.
 * @param {string} markdown
 * @returns {string[][]}
 */
export function parseLayers(markdown) {
  const lines = markdown.split('\n');
  const at = lines.findIndex((l) => l.trim() === LAYERS_HEADING);
  const where = `${LAYERS_DOC}`;
  if (at < 0) throw new Error(`${where}: no "${LAYERS_HEADING}" section, whose table is the layer list`);
  let i = at + 1;
  while (i < lines.length && !lines[i].startsWith('|') && !lines[i].startsWith('## ')) i++;
  if (i >= lines.length || !lines[i].startsWith('|')) {
    throw new Error(`${where}: "${LAYERS_HEADING}" has no table (| layer | folder | holds |)`);
  }
  const problems = [];
  const header = lines[i].split('|').map((c) => c.trim());
  if (header[1] !== 'layer' || header[2] !== 'folder') {
    problems.push(`${where}:${i + 1}: the table's header must begin | layer | folder |`);
  }
  i += 2; // the header and the |---| line
  /** @type {string[][]} */
  const layers = [];
  const seen = new Set();
  for (; i < lines.length && lines[i].startsWith('|'); i++) {
    const m = ROW.exec(lines[i]);
    const folder = m?.[2] ?? m?.[3];
    if (!m || folder === undefined) {
      problems.push(`${where}:${i + 1}: not a row | layer | \`folder\` | holds |: ${lines[i]}`);
      continue;
    }
    const layer = Number(m[1]);
    const last = layers.length - 1;
    if (!/^\d+$/.test(m[1]) || (layer !== last && layer !== last + 1)) {
      problems.push(
        `${where}:${i + 1}: layer "${m[1]}" must be ${last < 0 ? '0' : `${last} or ${last + 1}`}`,
      );
      continue;
    }
    if (!FOLDER.test(folder)) problems.push(`${where}:${i + 1}: "${folder}" is not a folder name`);
    if (seen.has(folder)) problems.push(`${where}:${i + 1}: ${folder} is in the table twice`);
    seen.add(folder);
    if (layer === last + 1) layers.push([]);
    layers[layer].push(folder);
  }
  if (layers.length === 0 && problems.length === 0) problems.push(`${where}: the layer table has no rows`);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return layers;
}

/** The layers of the tree at `root`, from its src/README.md. */
export const readLayers = (/** @type {string} */ root) =>
  parseLayers(readFileSync(resolve(root, LAYERS_DOC), 'utf8'));

/** A row naming a folder src/ does not have (the table must map what is there, and only that). */
export function missingFolders(/** @type {string[][]} */ layers, /** @type {string[]} */ folders) {
  const there = new Set(folders);
  return layers
    .flat()
    .filter((f) => !there.has(f))
    .map((f) => `${LAYERS_DOC} names src/${f}, which does not exist`);
}

/** `src/admission/rules/index.ts` → `admission`; anything outside src/ → undefined. */
const folderOf = (file) => (file.startsWith('src/') ? file.split('/')[1] : undefined);

/**
 * The upward imports of a dependency graph (file → files it imports, paths relative to the root):
 * one line each, `from → to (folder layer i imports folder layer j)`. A src/ folder missing from
 * `layers` is itself a finding, so a new folder has to be placed.
 * @param {Record<string, string[]>} graph
 * @param {string[][]} layers
 */
export function upwardImports(graph, layers) {
  const layerOf = new Map(layers.flatMap((folders, i) => folders.map((f) => [f, i])));
  const findings = [];
  const unplaced = new Set();
  for (const [from, deps] of Object.entries(graph)) {
    const a = folderOf(from);
    if (a === undefined || from.split('/').length < 3 || /\.test\.ts$/.test(from)) continue;
    if (!layerOf.has(a)) unplaced.add(a);
    for (const to of deps) {
      if (/^(test|scripts)\//.test(to)) {
        findings.push(`${from} → ${to} (product code imports ${to.split('/')[0]}/, which stands above src/)`);
        continue;
      }
      const b = folderOf(to);
      if (b === undefined || b === a || to.split('/').length < 3) continue;
      if (!layerOf.has(b)) unplaced.add(b);
      const [la, lb] = [layerOf.get(a), layerOf.get(b)];
      if (la === undefined || lb === undefined || lb < la) continue;
      const how = lb === la ? 'same layer' : 'higher layer';
      findings.push(`${from} → ${to} (src/${a} imports src/${b}, ${how}: ${lb} ≥ ${la})`);
    }
  }
  for (const f of unplaced) findings.push(`src/${f} is in no layer of ${LAYERS_DOC}`);
  return findings;
}

/**
 * The imports that reach past a folder's door: product code of one src/ folder importing a file of
 * another folder other than its index.ts, one line each. A folder's index.ts is its public surface, so
 * what a folder keeps to itself can change without touching its callers. Tests, test/ and scripts/ may
 * reach in: they drive a module directly.
 * @param {Record<string, string[]>} graph
 */
export function backDoorImports(graph) {
  const findings = [];
  for (const [from, deps] of Object.entries(graph)) {
    const a = folderOf(from);
    if (a === undefined || from.split('/').length < 3 || /\.test\.ts$/.test(from)) continue;
    for (const to of deps) {
      const b = folderOf(to);
      if (b === undefined || b === a || to.split('/').length < 3 || to === `src/${b}/index.ts`) continue;
      findings.push(`${from} → ${to} (src/${a} reaches past src/${b}/index.ts)`);
    }
  }
  return findings;
}

async function main() {
  const at = process.argv.indexOf('--root');
  const root = resolve(at > 0 ? process.argv[at + 1] : new URL('..', import.meta.url).pathname);
  let layers;
  try {
    layers = readLayers(root);
  } catch (e) {
    console.error(`the layer table cannot be read:\n${e instanceof Error ? e.message : e}`);
    process.exit(1);
  }
  const dirs = ['src', 'test', 'scripts'].map((d) => resolve(root, d));
  const res = await madge(dirs, {
    baseDir: root,
    fileExtensions: ['ts', 'js'],
    tsConfig: resolve(root, 'tsconfig.json'),
    excludeRegExp: [/node_modules/, /(^|\/)dist\//],
  });
  const graph = Object.fromEntries(
    Object.entries(res.obj()).map(([f, deps]) => [relative(root, resolve(root, f)), deps]),
  );
  const cycles = res.circular().map((c) => `cycle: ${c.join(' → ')}`);
  const folders = readdirSync(resolve(root, 'src'), { withFileTypes: true }).filter((e) => e.isDirectory());
  const upward = [
    ...missingFolders(
      layers,
      folders.map((e) => e.name),
    ),
    ...upwardImports(graph, layers).map((f) => `upward import: ${f}`),
    ...backDoorImports(graph).map((f) => `past the door: ${f}`),
  ];
  for (const line of [...cycles, ...upward]) console.error(line);
  const files = Object.keys(graph).length;
  if (cycles.length + upward.length > 0) {
    console.error(
      `${cycles.length} cycle(s), ${upward.length} upward or past-the-door import(s) or table problem(s) among ${files} files`,
    );
    process.exit(1);
  }
  console.log(
    `imports: ${files} files, no cycle, no upward import, every import between src/ folders through an index.ts`,
  );
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) await main();
