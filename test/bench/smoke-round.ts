// Each benchmark's smoke round (scripts/bench-smoke.js) as the suite runs it: package.json's bench:*
// script's command, without the build before it (dist/ is built once, ensureDist), with BENCH_SMOKE=1.
// Which test file runs which round is stated here once, so that every benchmark has one: the unit lane
// (test/bench/smoke.test.ts) those that need no cluster, the integration lane
// (test/integration/bench-smoke.test.ts) those on a local control plane, the real-node lane
// (test/integration/bench-start-smoke.test.ts) the one on the real node.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from '../../scripts/build.js';

export const SMOKE_ROUNDS = {
  unit: ['cli', 'queue', 'gateway'],
  integration: ['webhook', 'informer', 'rest', 'reconcile', 'scale', 'console'],
  'real-node': ['start'],
} as const;

/** The benchmarks: package.json's scripts named `bench:<name>`, each its command line. */
export function benchScripts(): Map<string, string> {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  return new Map(
    Object.entries(scripts).flatMap(([key, command]) =>
      key.startsWith('bench:') ? [[key.slice('bench:'.length), command]] : [],
    ),
  );
}

/** The node arguments of a benchmark's script: its last command (after any `npm run build … &&`). */
export function benchNodeArgs(script: string): string[] {
  const [program, ...args] = (script.split('&&').pop() ?? '').trim().split(/\s+/);
  if (program !== 'node') throw new Error(`a benchmark's script should end in a node command: ${script}`);
  return args;
}

export interface SmokeResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `bench:<name>`'s smoke round with `args` after its script's; resolves when it exits. */
export function smokeRound(
  name: string,
  args: readonly string[] = [],
  env: NodeJS.ProcessEnv = {},
): Promise<SmokeResult> {
  const script = benchScripts().get(name);
  if (script === undefined) throw new Error(`package.json has no script bench:${name}`);
  const child = spawn(process.execPath, [...benchNodeArgs(script), ...args], {
    cwd: root,
    // As `npm run` runs it: without the test runner's loaders, whose process tracker would cost
    // every Node process the benchmark starts.
    env: { ...process.env, NODE_OPTIONS: '', ...env, BENCH_SMOKE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const out = { stdout: '', stderr: '' };
  child.stdout.on('data', (chunk) => {
    out.stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    out.stderr += chunk;
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, ...out }));
  });
}
