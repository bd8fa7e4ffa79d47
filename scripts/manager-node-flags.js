// The Node.js flags the manager runs with, read from the one place that states them: the image's
// ENTRYPOINT (Dockerfile). `npm start` repeats them (a test holds it to this), and the benchmarks and
// test replicas that run `orchestrator run` as installed pass them to their child, so what they measure
// is what a cluster runs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './build.js';

/** The flags between `node` and the script in an ENTRYPOINT exec-form line; throws naming what is off. */
export function entrypointNodeFlags(dockerfile) {
  const line = dockerfile.split('\n').find((l) => l.startsWith('ENTRYPOINT '));
  if (!line) throw new Error('Dockerfile: no ENTRYPOINT line');
  let argv;
  try {
    argv = JSON.parse(line.slice('ENTRYPOINT '.length));
  } catch {
    throw new Error(`Dockerfile: ENTRYPOINT is not in exec form (a JSON array): ${line}`);
  }
  const script = Array.isArray(argv) ? argv.findIndex((arg) => arg.endsWith('/bin/orchestrator.js')) : -1;
  if (script < 1 || !/\/node$/.test(argv[0]))
    throw new Error(`Dockerfile: ENTRYPOINT is not [node, ...flags, .../bin/orchestrator.js, ...]: ${line}`);
  return argv.slice(1, script);
}

/** The manager's Node.js flags, as the image runs it. */
export function managerNodeFlags() {
  return entrypointNodeFlags(readFileSync(join(root, 'Dockerfile'), 'utf8'));
}
