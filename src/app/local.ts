// The local environment of `orchestrator run` when no cluster is configured: the built-in control
// plane with the CRDs, a namespace for the Lease, and a development certificate for the webhooks.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDevCertificates } from '../certs/dev.js';
import { installCrds, runKubectl } from '../cluster/crds.js';
import { type Cluster, startControlPlane } from '../cluster/index.js';

export interface LocalEnvironment {
  cluster: Cluster;
  certFile: string;
  keyFile: string;
  caPem: string;
}

export async function startLocalEnvironment(
  namespaces: string[],
  log: (msg: string) => void,
): Promise<LocalEnvironment> {
  log(
    'no cluster configured (no --kubeconfig, KUBECONFIG or in-cluster service account): starting the local control plane',
  );
  const cluster = await startControlPlane({ log });
  try {
    await installCrds(cluster.kubectl);
    for (const ns of namespaces) runKubectl(cluster.kubectl, ['create', 'namespace', ns]);
    const certs = await writeDevCertificates({
      out: join(cluster.dir ?? '.', 'webhook-certs'),
      service: 'orchestrator-webhook',
      namespace: 'orchestrator-system',
    });
    return {
      cluster,
      certFile: certs.certFile,
      keyFile: certs.keyFile,
      caPem: readFileSync(certs.caFile, 'utf8'),
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
