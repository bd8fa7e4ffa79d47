// Runs the project's TypeScript in Node as it is, with no compiler loaded in the process: tap's files,
// the operator and tools the harness starts, the benches. Node's own transform (module.stripTypeScriptTypes,
// 'transform' mode: the sources use parameter properties, which plain stripping refuses) replaces
// ts-node, which cost each test process about twice the CPU (docs/decisions/0023-native-typescript.md).
// The sources import each other as `./x.js` (TypeScript's NodeNext convention, what dist/ holds), so a
// relative `.js` that does not exist resolves to the `.ts` beside it.
// Use: `node --import=<this file> x.ts` (tap: package.json "tap"."node-arg").
import { existsSync, readFileSync } from 'node:fs';
import { registerHooks, stripTypeScriptTypes } from 'node:module';
import { fileURLToPath } from 'node:url';

process.setSourceMapsEnabled(true);
// The transform is experimental in Node 24 and says so on every process's stderr at its first use:
// said once here, in silence, so that test and operator output stays what the programs print.
const emitWarning = process.emitWarning;
process.emitWarning = () => {};
stripTypeScriptTypes('', { mode: 'transform' });
process.emitWarning = emitWarning;

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
    const source = stripTypeScriptTypes(readFileSync(file, 'utf8'), {
      mode: 'transform',
      sourceMap: true,
      sourceUrl: file,
    });
    return { format: 'module', source, shortCircuit: true };
  },
});
