// Preloaded into the operator by the scale benchmark (NODE_OPTIONS=--import=…/heap-hook.mjs): on
// SIGUSR2 it collects all garbage and prints the heap in use as one JSON line on stdout, so the
// benchmark can weigh the operator's caches from outside. Plain JavaScript: NODE_OPTIONS imports
// load before the TypeScript loader. Nothing in src/ knows of it.
import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');
v8.setFlagsFromString('--no-expose-gc');

export const HEAP_LINE = 'bench heap after gc';

let sequence = 0;
process.on('SIGUSR2', () => {
  gc();
  const { heapUsed, rss } = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ msg: HEAP_LINE, sequence: ++sequence, heapUsed, rss })}\n`);
});
