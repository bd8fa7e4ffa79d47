// The two uses of a kubectl left in the product: the CLI's `install`/`uninstall` (which act as the
// user's kubectl would) and rendering a kustomization (kustomize is built into kubectl; rendering
// talks to no apiserver). Everything else goes through KubeClient.
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from '../runtime/index.js';

/** Runs a kubectl argv prefix (e.g. `Cluster.kubectl`) with `args`; throws with its stderr on failure. */
export function runKubectl(kubectl: string[], args: string[], timeoutMs = 90_000): string {
  const [cmd, ...prefix] = kubectl;
  const res = spawnSync(cmd as string, [...prefix, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (res.status !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
  return res.stdout;
}

/** `kubectl kustomize dir`: the objects `kubectl apply -k dir` would send, in its order. */
export function renderKustomization(kubectl: string[], dir: string): KubeObject[] {
  return parseManifests(runKubectl(kubectl, ['kustomize', dir], 30_000));
}

/** The objects of a multi-document YAML stream (empty documents dropped); throws on a YAML error. */
export function parseManifests(text: string, source = 'manifest'): KubeObject[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length) throw new Error(`${source}: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as KubeObject | null;
    return obj ? [obj] : [];
  });
}
