// The local environment of `orchestrator run` when no cluster is configured: the built-in control
// plane (its workloads, the controller manager, scheduler, fake node and KWOK, started once built,
// after admission is up: a first start compiles them for minutes) with the CRDs, the RBAC of config/rbac, the admission
// policy of config/admission-policy, the controller config as the orchestrator-config
// ConfigMap (as an install has it), the agent sandbox of config/agents in `default`, a namespace for the Lease, a development certificate for the
// webhooks, and a kubeconfig for the manager that authenticates as the orchestrator ServiceAccount.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { ControllerConfig } from '../api/index.js';
import { writeDevCertificates } from '../certs/index.js';
import {
  agentSandboxObjects,
  applyObjects,
  type Cluster,
  installCrds,
  renderKustomization,
  startControlPlane,
  type WorkloadsLater,
  withClient,
} from '../cluster/index.js';
import { loadConfigFile } from '../config/index.js';
import { KubeConfig } from '../kubeconfig/index.js';
import { type ApiRequester, isConflict, type KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { localEgressObjects } from './local-egress.js';
import { type LocalModelKey, modelKeySecret, readModelKey } from './local-model-key.js';
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
  /** Runs get pods once these are up: a first start is still building them. */
  workloads: WorkloadsLater;
}

export interface LocalEnvironmentOptions {
  /** Namespaces to create besides the orchestrator's own (e.g. the Lease's). */
  namespaces: string[];
  /** The controller config file, stored as the orchestrator-config ConfigMap. */
  configFile: string;
  /** The platform's model key, stored where the model gateway reads it; undefined: none given. */
  modelKey?: LocalModelKey;
  log: (msg: string) => void;
}

/**
 * A part of config/ as `kubectl apply -k` would send it: `rbac` (namespace, ServiceAccount, roles,
 * bindings), `admission-policy` (only the manager may make or change the operator's Jobs, Pods and
 * ConfigMaps).
 */
function configPart(kubectl: string[], part: 'rbac' | 'admission-policy'): KubeObject[] {
  return renderKustomization(kubectl, join(packageRoot(), 'config', part));
}

/** The ConfigMap an install makes of the controller config file. */
function configMap(configFile: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'orchestrator-config', namespace: MANAGER_SERVICE_ACCOUNT.namespace },
    data: { 'controller-config.yaml': readFileSync(configFile, 'utf8') },
  };
}

/** Where a user of the local cluster creates runs. */
const RUNS_NAMESPACE = 'default';

/**
 * The agent sandbox of config/agents in `default`, as an install makes it, plus any other
 * ServiceAccount the config's agent profiles name: without them the Job controller cannot create an
 * agent's pod.
 */
function agentObjects(kubectl: string[], config: ControllerConfig): KubeObject[] {
  const sandbox = agentSandboxObjects(kubectl, RUNS_NAMESPACE);
  const shipped = new Set(sandbox.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata?.name));
  const named = new Set(
    Object.values(config.agents).flatMap((a) =>
      a.serviceAccountName && !shipped.has(a.serviceAccountName) ? [a.serviceAccountName] : [],
    ),
  );
  const others = [...named].map((name) => ({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: { name, namespace: RUNS_NAMESPACE },
  }));
  return [...sandbox, ...others];
}

async function createNamespace(client: ApiRequester, name: string): Promise<void> {
  await client
    .request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name } },
    })
    .catch((err) => {
      if (!isConflict(err)) throw err;
    });
}

/** The gateway's model key Secret in the operator's namespace, when the user gave a key. */
function modelKeyObjects(config: ControllerConfig, source: LocalModelKey | undefined): KubeObject[] {
  if (!config.gateway.enabled || !source) return [];
  return [modelKeySecret(config, MANAGER_SERVICE_ACCOUNT.namespace, readModelKey(source))];
}

export async function startLocalEnvironment(opts: LocalEnvironmentOptions): Promise<LocalEnvironment> {
  const { log } = opts;
  const config = loadConfigFile(opts.configFile);
  // Read before anything starts: an unreadable key file is the user's to fix, not a cluster to stop.
  const modelKey = modelKeyObjects(config, opts.modelKey);
  log(
    'no cluster configured (no --kubeconfig, KUBECONFIG or in-cluster service account): starting the local control plane',
  );
  const cluster = await startControlPlane({ log, workloadsLater: true });
  // Without a late stage (never, with workloadsLater) the workloads started with the control plane.
  const workloads = cluster.workloadsLater ?? { building: false, ready: Promise.resolve() };
  try {
    const admin = new KubeConfig();
    admin.loadFromFile(cluster.kubeconfig);
    const token = await withClient(admin, async (client) => {
      await installCrds(client);
      await applyObjects(client, [
        ...configPart(cluster.kubectl, 'rbac'),
        ...configPart(cluster.kubectl, 'admission-policy'),
        configMap(opts.configFile),
        ...agentObjects(cluster.kubectl, config),
        ...modelKey,
      ]);
      await applyObjects(client, await localEgressObjects(client, cluster.kubectl, config, RUNS_NAMESPACE));
      for (const ns of opts.namespaces) await createNamespace(client, ns);
      return serviceAccountToken(client, MANAGER_SERVICE_ACCOUNT);
    });
    const managerKubeConfig = tokenKubeConfig(admin, token, serviceAccountUser(MANAGER_SERVICE_ACCOUNT));
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
      workloads,
    };
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** The banner's lines on when runs get pods. */
export function workloadsBanner(workloads: WorkloadsLater): string[] {
  return workloads.building
    ? [
        'Runs are admitted now; they get pods once the controller manager, scheduler and KWOK are built',
        '  (minutes on a first start, a "still building" line every 15 s), then "workloads ready" is logged.',
      ]
    : ['Runs get pods once the controller manager, scheduler and fake node are up ("workloads ready").'];
}

/**
 * Logs when the workloads are up. If they fail, runs would be admitted and never get pods: rather
 * than go on half-working, the manager is stopped and `failure` gives the cause (with the log tail)
 * for the process to exit non-zero. A failure after a stop was asked for is the stop's doing.
 */
export function followWorkloads(
  workloads: WorkloadsLater,
  manager: { stop(): Promise<void>; stopRequested: Promise<void> },
  logger: Logger,
): { failure: () => Error | undefined } {
  let stopping = false;
  let failure: Error | undefined;
  void manager.stopRequested.then(() => {
    stopping = true;
  });
  workloads.ready.then(
    () =>
      logger.info(
        { nodes: ['kwok-node-0'] },
        'workloads ready: Jobs get pods, and runs finish by themselves',
      ),
    (err: Error) => {
      if (stopping) return;
      failure = err;
      logger.error(
        "the local cluster's workloads did not start, so runs would never get pods: stopping (the cause is printed last)",
      );
      void manager.stop();
    },
  );
  return { failure: () => failure };
}
