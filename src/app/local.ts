// The local environment of `orchestrator run` when no cluster is configured: the built-in control
// plane with the CRDs, a namespace for the Lease, and a development certificate for the webhooks.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeDevCertificates } from '../cli/certs.js';
import { type Cluster, startControlPlane } from '../cluster/index.js';
import { packageRoot } from '../util/package-root.js';

export interface LocalEnvironment {
  cluster: Cluster;
  certFile: string;
  keyFile: string;
  caPem: string;
}

function kubectl(cluster: Cluster, args: string[]): void {
  const [cmd, ...prefix] = cluster.kubectl;
  const res = spawnSync(cmd as string, [...prefix, ...args], { encoding: 'utf8', timeout: 90_000 });
  if (res.status !== 0)
    throw new Error(`kubectl ${args.join(' ')} failed: ${res.stderr || res.error?.message}`);
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
    kubectl(cluster, ['apply', '--server-side', '-f', join(packageRoot(), 'crds')]);
    kubectl(cluster, [
      'wait',
      '--for=condition=Established',
      '--timeout=60s',
      'crd',
      '-l',
      'app.kubernetes.io/part-of=orchestrator',
    ]);
    for (const ns of namespaces) kubectl(cluster, ['create', 'namespace', ns]);
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
