// Compiles src/ into dist/ (what bin/orchestrator runs). Shared by the scripts that need dist/ first;
// `npm test` sets ORCHESTRATOR_DIST_BUILT so that test files do not compile it again, concurrently.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Runs `tsc -p tsconfig.build.json`; returns whether it succeeded (its output goes to ours). */
export function buildDist() {
  const res = spawnSync(
    process.execPath,
    [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  return res.status === 0;
}

/** Builds dist/ unless the test runner already did in this run. */
export function ensureDist() {
  return process.env.ORCHESTRATOR_DIST_BUILT === '1' || buildDist();
}
