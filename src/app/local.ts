// The local environment of `orchestrator run` when no cluster is configured: the built-in control
// plane with the CRDs, the RBAC of config/rbac, the controller config as the orchestrator-config
// ConfigMap (as an install has it), a namespace for the Lease, a development certificate for the
// webhooks, and a kubeconfig for the manager that authenticates as the orchestrator ServiceAccount.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { writeDevCertificates } from '../certs/dev.js';
import { installCrds, runKubectl } from '../cluster/crds.js';
import { type Cluster, startControlPlane } from '../cluster/index.js';
import { packageRoot } from '../util/package-root.js';
import {
  MANAGER_SERVICE_ACCOUNT,
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from './service-account.js';

export interface LocalEnvironment {
  cluster: Cluster;
  certFile: string;
  keyFile: string;
  caPem: string;
  /** The manager's credentials: the ServiceAccount's token, so RBAC applies as in a cluster. */
  managerKubeConfig: KubeConfig;
}

export interface LocalEnvironmentOptions {
  /** Namespaces to create besides the orchestrator's own (e.g. the Lease's). */
  namespaces: string[];
  /** The controller config file, stored as the orchestrator-config ConfigMap. */
  configFile: string;
  log: (msg: string) => void;
}

/** config/rbac (namespace, ServiceAccount, roles, bindings) and the config, with the control plane's kubectl. */
function applyInstallPieces(kubectl: string[], configFile: string): void {
  runKubectl(kubectl, ['apply', '--server-side', '-k', join(packageRoot(), 'config', 'rbac')]);
  runKubectl(kubectl, [
    'create',
    'configmap',
    'orchestrator-config',
    '-n',
    MANAGER_SERVICE_ACCOUNT.namespace,
    `--from-file=controller-config.yaml=${configFile}`,
  ]);
}

export async function startLocalEnvironment(opts: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const { log } = opts;
  log(
    'no cluster configured (no --kubeconfig, KUBECONFIG or in-cluster service account): starting the local control plane',
  );
  const cluster = await startControlPlane({ log });
  try {
    await installCrds(cluster.kubectl);
    applyInstallPieces(cluster.kubectl, opts.configFile);
    for (const ns of opts.namespaces)
      if (ns !== MANAGER_SERVICE_ACCOUNT.namespace) runKubectl(cluster.kubectl, ['create', 'namespace', ns]);
    const admin = new KubeConfig();
    admin.loadFromFile(cluster.kubeconfig);
    const managerKubeConfig = tokenKubeConfig(
      admin,
      serviceAccountToken(cluster.kubectl, MANAGER_SERVICE_ACCOUNT),
      serviceAccountUser(MANAGER_SERVICE_ACCOUNT),
    );
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
      managerKubeConfig,
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}
