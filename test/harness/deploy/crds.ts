import { crdName, RUN_KIND_NAMES } from '../../../src/api/index.js';
import { withClient } from '../../../src/cluster/apply.js';
import { installCrds } from '../../../src/cluster/crds.js';
import type { Cluster } from '../../../src/cluster/index.js';

export const CRD_NAMES = RUN_KIND_NAMES.map(crdName);

const installed = new WeakMap<Cluster, Promise<void>>();

/** Installs crds/ once per cluster and test process (idempotent across test files). */
export function ensureCrds(cluster: Cluster): Promise<void> {
  let done = installed.get(cluster);
  if (!done) {
    done = withClient(cluster.kubeconfig, installCrds);
    installed.set(cluster, done);
  }
  return done;
}
