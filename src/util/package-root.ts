import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The directory holding this package's package.json. Modules run both from `src/` (tests) and from
 * `dist/` (the published CLI), so paths to `schemas/`, `crds/` or `test/cluster` are found by walking up.
 */
export function packageRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('orchestrator: cannot find the package root above ' + import.meta.url);
    dir = parent;
  }
  cached = dir;
  return dir;
}
