// The apiserver `orchestrator run` works against: the local control plane's, the kubeconfig's, or the
// pod's own; the manager's client on it; and, against a cluster we did not make, the preflight checks.
import { KubeConfig } from '../kubeconfig/index.js';
import { apiCall } from '../observability/index.js';
import { KubeClient } from '../runtime/index.js';
import { servingCertificates } from './certificates.js';
import type { LocalEnvironment } from './local.js';
import type { RunOptions } from './options.js';
import { preflight } from './preflight.js';
import type { Connected, RunProcess } from './run-context.js';
import { keepServingCertificate } from './serving-certificate.js';

function kubeConfig(opts: RunOptions, local: LocalEnvironment | undefined): KubeConfig {
  const kc = new KubeConfig();
  const file = local?.cluster.kubeconfig ?? opts.kubeconfig;
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

/** A client of the manager's, its calls inside a traced reconcile or review spans of it (docs/design.md §11). */
export const managerClient = (proc: RunProcess, kc: KubeConfig, requestTimeoutMs: number): KubeClient =>
  new KubeClient(proc.local?.managerKubeConfig ?? kc, {
    requestTimeoutMs,
    registry: proc.registry,
    around: apiCall,
  });

export async function connect(proc: RunProcess): Promise<Connected> {
  const { opts, local } = proc;
  const kc = kubeConfig(opts, local);
  const certificates = servingCertificates(opts, local);
  const client = managerClient(proc, kc, 10_000);
  // Before the preflight, which checks its files are there.
  const servingCertificate = await keepServingCertificate(proc, client);
  // Against a cluster we did not make: what is missing is said in one line with its fix, not found as
  // an ENOENT or a Lease retried for ever (preflight.ts).
  if (!local) {
    const lease = opts.leaderElection
      ? { namespace: opts.leaderElection.namespace, name: opts.leaderElection.name }
      : undefined;
    const problem = await preflight(client, {
      ...certificates,
      webhookPort: opts.webhookPort,
      ...(lease ? { lease } : {}),
    });
    if (problem) throw new Error(problem);
  }
  return { ...proc, kc, certificates, client, ...(servingCertificate ? { servingCertificate } : {}) };
}
