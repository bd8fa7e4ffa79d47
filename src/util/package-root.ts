import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The package root: the nearest directory at or above `from` holding package.json and schemas/.
 * Modules run both from `src/` (tests) and from `dist/` (the published CLI), so paths to `schemas/`,
 * `crds/` or `cluster/control-plane` are found by walking up. Throws when there is none.
 */
export function findPackageRoot(from: string = path.dirname(fileURLToPath(import.meta.url))): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'schemas'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package root (package.json and schemas/) at or above ${from}`);
    dir = parent;
  }
}

let cached: string | undefined;

/** This package's root, found once. */
export function packageRoot(): string {
  cached ??= findPackageRoot();
  return cached;
}
