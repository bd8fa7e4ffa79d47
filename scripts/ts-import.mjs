// Runs the project's TypeScript in Node as it is, with no compiler loaded in the process: tap's files,
// the operator and tools the harness starts, the benches. Node's own transform (module.stripTypeScriptTypes,
// 'transform' mode: the sources use parameter properties, which plain stripping refuses) replaces
// ts-node, which cost each test process about twice the CPU (docs/decisions/0023-native-typescript.md).
// The sources import each other as `./x.js` (TypeScript's NodeNext convention, what dist/ holds), so a
// relative `.js` that does not exist resolves to the `.ts` beside it.
// Use: `node --import=<this file> x.ts` (tap: package.json "tap"."node-arg").
// With ORCHESTRATOR_TS_CACHE set to a directory (`npm test` sets one for its run), each transform is
// kept there by the hash of what decides it: the transform is a third of a unit test process's CPU,
// and every test file and operator process of a run loads most of the same sources.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

process.setSourceMapsEnabled(true);
// The transform is experimental in Node 24 and says so on every process's stderr at its first use:
// said once here, in silence, so that test and operator output stays what the programs print.
const emitWarning = process.emitWarning;
process.emitWarning = () => {};
stripTypeScriptTypes('', { mode: 'transform' });
process.emitWarning = emitWarning;

const cacheDir = process.env.ORCHESTRATOR_TS_CACHE || undefined;
if (cacheDir) mkdirSync(cacheDir, { recursive: true });

/** The transform of `file`'s `text`, from the cache when it has it (a rename makes each entry whole). */
function transform(file, text) {
  const run = () => stripTypeScriptTypes(text, { mode: 'transform', sourceMap: true, sourceUrl: file });
  if (!cacheDir) return run();
  // The path is in the key because the output names it (source map, sourceURL).
  const key = createHash('sha256').update(`${process.version}\0${file}\0${text}`).digest('hex');
  const entry = join(cacheDir, `${key}.js`);
  try {
    return readFileSync(entry, 'utf8');
  } catch {
    const source = run();
    const partial = `${entry}.${process.pid}`;
    writeFileSync(partial, source);
    renameSync(partial, entry);
    return source;
  }
}

registerHooks({
  resolve(specifier, context, next) {
    try {
      return next(specifier, context);
    } catch (err) {
      // Asked first as written, so that hooks after this one (tap's mockImport matches its mocks by
      // the `.js` name) see what the source says; only a `.js` that is not there becomes its `.ts`.
      if (err?.code !== 'ERR_MODULE_NOT_FOUND' || !context.parentURL?.startsWith('file:')) throw err;
      const url = new URL(specifier, context.parentURL);
      if (url.protocol !== 'file:' || !url.pathname.endsWith('.js')) throw err;
      url.pathname = `${url.pathname.slice(0, -3)}.ts`;
      if (!existsSync(fileURLToPath(url))) throw err;
      return next(url.href, context);
    }
  },
  load(url, context, next) {
    if (!url.startsWith('file:') || !url.endsWith('.ts') || url.includes('/node_modules/'))
      return next(url, context);
    const file = fileURLToPath(url);
    return { format: 'module', source: transform(file, readFileSync(file, 'utf8')), shortCircuit: true };
  },
});
