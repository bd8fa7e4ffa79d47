import { crdName, RUN_KIND_NAMES } from '../../../src/api/index.js';
import { withClient } from '../../../src/cluster/apply.js';
import { installCrds } from '../../../src/cluster/crds.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { scaled } from '../util/wait.js';

export const CRD_NAMES = RUN_KIND_NAMES.map(crdName);

const installed = new WeakMap<Cluster, Promise<void>>();

/**
 * The install's limit: the shared control plane beside three busy lanes took over two minutes to
 * establish CRDs in CI, past installCrds' own 120 s.
 */
const INSTALL_MS = 300_000;

/** Installs crds/ once per cluster and test process (idempotent across test files). */
export function ensureCrds(cluster: Cluster): Promise<void> {
  let done = installed.get(cluster);
  if (!done) {
    done = withClient(cluster.kubeconfig, (client) => installCrds(client, { timeoutMs: scaled(INSTALL_MS) }));
    installed.set(cluster, done);
  }
  return done;
}
