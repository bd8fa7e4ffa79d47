// Compiles src/ into dist/ (what bin/orchestrator runs). Shared by the scripts that need dist/ first;
// `npm test` sets ORCHESTRATOR_DIST_BUILT so that test files do not compile it again, concurrently.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Runs `tsc -p tsconfig.build.json`, then writes the precompiled validators
 * (scripts/generate-validators.js), as `npm run build` does; returns whether both succeeded (their
 * output goes to ours).
 */
export function buildDist() {
  const run = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status === 0;
  return (
    run([join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']) &&
    run([join(root, 'scripts/generate-validators.js')])
  );
}

/** Builds dist/ unless the test runner already did in this run. */
export function ensureDist() {
  return process.env.ORCHESTRATOR_DIST_BUILT === '1' || buildDist();
}
