// What kustomize does with config/argo beyond listing files, for the tests that read the manifests
// without a cluster (argo-manifests.ts), and the tests' install of them on one: the files
// `npm run generate` derives from the controller config written for an install with the seed's Apps
// (seedConfig, decision 0044), the kustomizations' `replacements` (the one form config/argo uses: a
// ConfigMap's data key into fields found by name, `[key=value]` and index), and local-config objects
// left out.
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { stringify } from 'yaml';
import {
  ARGO_APPS_PATH,
  ARGO_EVENTS_APPS_PATH,
  argoAppsConfigMap,
  argoEventsAppsConfigMap,
} from '../../../scripts/generate-argo-apps.js';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { seedConfig } from '../util/app-configs.js';

export interface Replacement {
  source: { kind: string; name: string; fieldPath: string };
  targets: Array<{ select: { kind: string; name: string }; fieldPaths: string[] }>;
}

/** config/argo's generated files as `npm run generate` writes them from `config`, by path from the package root. */
export function argoFilesFor(config: ControllerConfig): Map<string, string> {
  const text = stringify(config);
  const header = 'written by the tests for an install with the seed’s Apps';
  return new Map([
    [ARGO_APPS_PATH, argoAppsConfigMap(text, header)],
    [ARGO_EVENTS_APPS_PATH, argoEventsAppsConfigMap(text, header)],
  ]);
}

let seed: Map<string, string> | undefined;
/** The generated files of an install with the seed's Apps. */
export const seedArgoFiles = (): Map<string, string> => (seed ??= argoFilesFor(seedConfig()));

export const isLocalConfig = (o: KubeObject): boolean =>
  o.metadata?.annotations?.['config.kubernetes.io/local-config'] === 'true';

/** `a.[name=x].b.0` → ['a', '[name=x]', 'b', '0'] (dots inside brackets kept). */
const segments = (path: string): string[] => path.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];

function step(node: unknown, segment: string, path: string): unknown {
  const select = /^\[([^=]+)=(.*)\]$/.exec(segment);
  const found = select
    ? (node as Record<string, unknown>[]).find((item) => String(item?.[select[1] as string]) === select[2])
    : (node as Record<string, unknown>)?.[segment];
  if (found === undefined) throw new Error(`replacement: ${path} has no ${segment}`);
  return found;
}

/** The replacements made in place, as kustomize makes them; a field not found is an error, as there. */
export function applyReplacements(objects: KubeObject[], replacements: Replacement[]): void {
  const find = (kind: string, name: string) => {
    const found = objects.find((o) => o.kind === kind && o.metadata?.name === name);
    if (!found) throw new Error(`replacement: no ${kind} ${name}`);
    return found;
  };
  for (const { source, targets } of replacements) {
    const value = segments(source.fieldPath).reduce<unknown>(
      (node, s) => step(node, s, source.fieldPath),
      find(source.kind, source.name),
    );
    for (const { select, fieldPaths } of targets)
      for (const path of fieldPaths) {
        const parts = segments(path);
        const last = parts.pop() as string;
        const parent = parts.reduce<unknown>(
          (node, s) => step(node, s, path),
          find(select.kind, select.name),
        );
        step(parent, last, path);
        (parent as Record<string, unknown>)[last] = value;
      }
  }
}

/**
 * A copy of config/argo (in a temporary directory) with the generated files `files` has, for
 * `kubectl kustomize` to build as it builds an install's; its path to `dir` (a folder of config/argo).
 */
export function argoConfigWith(dir: string, files = seedArgoFiles()): string {
  const argo = join(packageRoot(), 'config', 'argo');
  const copy = join(mkdtempSync(join(tmpdir(), 'argo-config-')), 'argo');
  cpSync(argo, copy, { recursive: true });
  for (const [path, text] of files) writeFileSync(join(copy, relative('config/argo', path)), text);
  return join(copy, relative(argo, dir));
}
