import { join } from 'node:path';
import type { Cluster } from '../../src/cluster/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl } from './cluster.js';

export const CRD_NAMES = ['taskruns.orchestrator.io', 'coderuns.orchestrator.io', 'docsruns.orchestrator.io'];

const installed = new WeakMap<Cluster, Promise<void>>();

/** Applies crds/ with server-side apply (idempotent across test files) and waits until Established. */
export function ensureCrds(cluster: Cluster): Promise<void> {
  let done = installed.get(cluster);
  if (!done) {
    done = (async () => {
      const dir = join(packageRoot(), 'crds');
      const applied = await kubectl(cluster, ['apply', '--server-side', '--force-conflicts', '-f', dir]);
      if (applied.code !== 0) throw new Error(`kubectl apply -f crds/ failed: ${applied.stderr}`);
      const waited = await kubectl(cluster, [
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        ...CRD_NAMES.map((n) => `crd/${n}`),
      ]);
      if (waited.code !== 0) throw new Error(`CRDs not Established: ${waited.stderr}`);
    })();
    installed.set(cluster, done);
  }
  return done;
}
