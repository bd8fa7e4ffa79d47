#!/usr/bin/env node
// `npm run cycles` (part of `npm run lint`): the import graph of src/, test/ and scripts/ as madge
// resolves it, checked for two things: no import cycle, and no upward import between src/'s top-level
// folders. LAYERS below is the one place the layering is written: a folder's code may import folders of
// lower layers only (folders of one layer are independent of each other), and never test/ or scripts/,
// which stand above src/. Tests are exempt, as Kubernetes' import-boss exempts _test.go files: a test
// beside its code (`src/<folder>/<name>.test.ts`) may drive it with what stands above it (the shipped config, the
// webhook routes), which is the point of many of them.
// Usage: node scripts/check-imports.js [--root DIR]; exits 1 naming each cycle and each upward import.
import { relative, resolve } from 'node:path';
import madge from 'madge';

/**
 * src/'s top-level folders, lowest first. Why this order: foundations that import no other folder;
 * the API types and the Kubernetes runtime they describe; what checks, authenticates, observes and
 * serves bytes; the config; the admission pipeline and rendering; what starts runs (GitHub, runs/);
 * the four faces (reconcilers, webhook transport, REST API, the local cluster); the process; the CLI.
 */
export const LAYERS = [
  ['util', 'naming', 'watch', 'kubeconfig', 'certs', 'runtime'],
  ['api'],
  ['validation', 'auth', 'observability', 'http'],
  ['config'],
  ['admission', 'render'],
  ['github', 'runs'],
  ['controllers', 'webhook', 'rest', 'cluster'],
  ['app'],
  ['cli'],
];

/** The layer of each folder. */
const layerOf = new Map(LAYERS.flatMap((folders, i) => folders.map((f) => [f, i])));

/** `src/admission/rules/index.ts` → `admission`; anything outside src/ → undefined. */
const folderOf = (file) => (file.startsWith('src/') ? file.split('/')[1] : undefined);

/**
 * The upward imports of a dependency graph (file → files it imports, paths relative to the root):
 * one line each, `from → to (folder layer i imports folder layer j)`. A src/ folder missing from
 * LAYERS is itself a finding, so a new folder has to be placed.
 */
export function upwardImports(graph) {
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
  for (const f of unplaced) findings.push(`src/${f} is in no layer of scripts/check-imports.js LAYERS`);
  return findings;
}

async function main() {
  const at = process.argv.indexOf('--root');
  const root = resolve(at > 0 ? process.argv[at + 1] : new URL('..', import.meta.url).pathname);
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
  const upward = upwardImports(graph).map((f) => `upward import: ${f}`);
  for (const line of [...cycles, ...upward]) console.error(line);
  const files = Object.keys(graph).length;
  if (cycles.length + upward.length > 0) {
    console.error(`${cycles.length} cycle(s), ${upward.length} upward import(s) among ${files} files`);
    process.exit(1);
  }
  console.log(`imports: ${files} files, no cycle, no upward import between src/ folders`);
}

if (process.argv[1] && resolve(process.argv[1]) === new URL(import.meta.url).pathname) await main();
