// Installing the orchestrator CRDs into a cluster with its kubectl: server-side apply (idempotent, so
// several installers may race), then wait until the apiserver serves them.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { crdName, RUN_KIND_NAMES } from '../api/index.js';
import { packageRoot } from '../util/package-root.js';

/** Runs a kubectl argv prefix (e.g. `Cluster.kubectl`) with `args`; throws with its stderr on failure. */
export function runKubectl(kubectl: string[], args: string[], timeoutMs = 90_000): string {
  const [cmd, ...prefix] = kubectl;
  const res = spawnSync(cmd as string, [...prefix, ...args], { encoding: 'utf8', timeout: timeoutMs });
  if (res.status !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
  return res.stdout;
}

/**
 * Established means the resources are served, but the OpenAPI document (`kubectl explain`, client-side
 * validation) is published a moment later, and the first requests can still meet "429 storage is
 * (re)initializing": wait until both are past, so nothing after install sees a gap.
 */
async function waitUntilServed(kubectl: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const crds = RUN_KIND_NAMES.map(crdName);
      for (const crd of crds) runKubectl(kubectl, ['explain', crd]);
      runKubectl(kubectl, ['get', crds.join(','), '--all-namespaces', '--request-timeout=5s', '-o', 'name']);
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(250);
    }
  }
}

export async function installCrds(kubectl: string[]): Promise<void> {
  runKubectl(kubectl, ['apply', '--server-side', '--force-conflicts', '-f', join(packageRoot(), 'crds')]);
  runKubectl(kubectl, [
    'wait',
    '--for=condition=Established',
    '--timeout=60s',
    'crd',
    '-l',
    'app.kubernetes.io/part-of=orchestrator',
  ]);
  await waitUntilServed(kubectl);
}
