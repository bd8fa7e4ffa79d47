// Manager replicas installed as `kubectl apply -k config/overlays/production` would install them, on
// this host: the RBAC applied (the ServiceMonitor's scraper's too), each replica an `orchestrator run` process with the Deployment's args and env,
// authenticated as the manager's ServiceAccount, with a controller config scoped to a fresh namespace and
// Lease, and the webhooks registered for that namespace through a round-robin balancer standing in for
// the Service. Only ports, file paths and pod names differ from a real install.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { ControllerConfig } from '../../../src/api/index.js';
import {
  MANAGER_SERVICE_ACCOUNT,
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from '../../../src/app/service-account.js';
import { createAuthority } from '../../../src/certs/authority.js';
import { withClient } from '../../../src/cluster/apply.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { KubeClient } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { installLocalWebhooks, uninstallLocalWebhooks } from '../../../src/webhook/install.js';
import { kubeConfig, kubectl, testNamespace } from '../cluster/cluster.js';
import { startTcpBalancer } from '../cluster/tcp-balancer.js';
import { applyObjects, kustomize } from '../deploy/kustomize.js';
import { type MetricsScrape, metricsScrape, servingDnsNames } from '../deploy/metrics-scrape.js';
import type { Scope } from '../util/scope.js';
import { REQUEST_LIMIT_MS, scaled, waitFor } from '../util/wait.js';
import { testConfig } from './operator.js';
import { containerEnv, flagValues, managerTemplate, type Replica, startReplica } from './replicas.js';

/** The kinds of an install that grant or hold permissions (and the namespaces they live in). */
export const RBAC_KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

/** The flags a replica on this host cannot take from the Deployment (ports, paths). */
const LOCAL_FLAGS = [
  '--config',
  '--templates-dir',
  '--cert-dir',
  '--webhook-port',
  '--metrics-bind-address',
  '--health-probe-bind-address',
];

type Teardown = Pick<Scope, 'teardown' | 'name'>;

export interface Installation {
  /** A random id in the names of this installation's Lease, replicas and webhook configurations. */
  id: string;
  /** Where runs are created: the config's watchNamespace, selected by the webhooks. */
  namespace: string;
  /** The namespace the Deployment's pods would run in (their Lease's namespace). */
  podNamespace: string;
  leaseName: string;
  replicas: Replica[];
  /** The Deployment's flags passed unchanged (every one but the local ones). */
  sharedFlags: string[];
  /** The serving certificate's CA (PEM). */
  caPem: string;
  /** How the ServiceMonitor scrapes the replicas' metrics, and a token of its scraper. */
  metrics: MetricsScrape;
  /** An admin client. */
  client: KubeClient;
}

/** `kubectl apply` of a run that admission denies (an unknown agent), as a user would. */
export const applyInvalidRun = (cluster: Cluster, namespace: string) =>
  kubectl(cluster, [
    'apply',
    '-n',
    namespace,
    '-f',
    join(packageRoot(), 'config', 'samples', 'invalid', 'unknown-agent.yaml'),
  ]);

/** Where {@link get} connects: a port of this host, or another host with the TLS name it presents. */
export type Target = number | { host: string; port: number; servername?: string };

/**
 * GET (or POST `body`) over HTTP, or HTTPS trusting `ca`, with a bearer `token` if given; rejects when
 * there is no answer within 5 s.
 */
export const get = (target: Target, path: string, ca?: string, body?: unknown, token?: string) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const at = typeof target === 'number' ? { host: '127.0.0.1', port: target } : target;
    const method = body === undefined ? 'GET' : 'POST';
    const headers = {
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    };
    const options = { ...at, path, method, headers, timeout: scaled(5000) };
    const req = (ca ? httpsRequest({ ...options, ca }) : httpRequest(options)).on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${scaled(5000)} ms`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });

/**
 * `count` replicas, ready, with the webhooks registered; everything is removed at teardown. `change`
 * edits the controller config (a short lease is already set, so that a failover fits a test).
 */
export async function installReplicas(
  t: Teardown,
  cluster: Cluster,
  opts: {
    prefix: string;
    count?: number;
    change?: (config: ControllerConfig) => void;
    /** More environment for every replica (e.g. NODE_OPTIONS). */
    env?: Record<string, string>;
  },
): Promise<Installation> {
  const root = packageRoot();
  const id = randomBytes(3).toString('hex');
  const webhookLabels = { [`orchestrator.io/${opts.prefix}-test`]: id };
  const namespace = await testNamespace(t, cluster, webhookLabels);
  const dir = mkdtempSync(join(tmpdir(), `${opts.prefix}-`));

  // What `kubectl apply -k config/overlays/production` would install, less what a host cannot run (the
  // pods) and what needs other operators' CRDs (cert-manager's, the Prometheus Operator's).
  const objects = await kustomize(cluster, join(root, 'config', 'overlays', 'production'));
  const applied = await applyObjects(
    cluster,
    objects.filter((o) => RBAC_KINDS.has(o.kind ?? '')),
  );
  if (applied.code !== 0) throw new Error(`applying the RBAC failed: ${applied.stderr}`);
  const { namespace: podNamespace, container } = managerTemplate(objects);
  const admin = kubeConfig(cluster);
  const token = await withClient(admin, (client) => serviceAccountToken(client, MANAGER_SERVICE_ACCOUNT));
  const kubeconfigFile = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfigFile,
    tokenKubeConfig(admin, token, serviceAccountUser(MANAGER_SERVICE_ACCOUNT)).exportConfig(),
  );

  // The config the ConfigMap would carry, scoped to this test's namespace and Lease.
  const leaseName = `orchestrator-${opts.prefix}-${id}`;
  const config = testConfig((c) => {
    c.watchNamespace = namespace;
    c.leaderElection = {
      ...c.leaderElection,
      enabled: true,
      leaseName,
      leaseDurationSeconds: 4,
      renewDeadlineSeconds: 3,
      retryPeriodSeconds: 1,
    };
    opts.change?.(c);
  });
  const configFile = join(dir, 'controller-config.yaml');
  writeFileSync(configFile, stringify(config));
  const ca = await createAuthority(`${opts.prefix}-ca`);
  // The names cert-manager's Certificate gives it, and this host's address.
  const serving = await ca.issueServing({
    commonName: 'orchestrator-webhook',
    dnsNames: servingDnsNames(objects),
    ipAddresses: ['127.0.0.1'],
  });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem);

  const flags = flagValues(container.args ?? []);
  const local: Record<string, string> = {
    '--config': configFile,
    '--templates-dir': join(root, 'templates'),
    '--cert-dir': dir,
    '--webhook-port': '0',
    '--metrics-bind-address': '127.0.0.1:0',
    '--health-probe-bind-address': '127.0.0.1:0',
  };
  // The REST API's and the gateway's ports come from the config (api.bindAddress :8443 and
  // gateway.bindAddress :8090 in every pod of the Deployment, each with its own address): replicas on
  // one host each take a free one.
  const args = [
    ...[...flags].map(([flag, value]) => `${flag}=${local[flag] ?? value}`),
    '--api-bind-address=127.0.0.1:0',
    '--gateway-bind-address=127.0.0.1:0',
  ];
  const replicas: Replica[] = [];
  t.teardown(async () => {
    for (const r of replicas) await r.kill();
  });
  for (const suffix of 'abcdefgh'.slice(0, opts.count ?? 2)) {
    const pod = `orchestrator-${id}-${suffix}`;
    const env = {
      ...containerEnv(container, { name: pod, namespace: podNamespace }),
      KUBECONFIG: kubeconfigFile,
      ...opts.env,
    };
    replicas.push(await startReplica(pod, args, env));
  }
  for (const r of replicas)
    await waitFor(`${r.pod} ready`, async () => (await get(r.probesPort, '/readyz')).status === 200);

  // The balancer plays the Service: it skips replicas that have died.
  const balancer = await startTcpBalancer(() =>
    replicas
      .filter((r) => r.process.child.exitCode === null && r.process.child.signalCode === null)
      .map((r) => r.webhookPort),
  );
  t.teardown(() => balancer.close());
  await installLocalWebhooks(admin, {
    baseUrl: `https://127.0.0.1:${balancer.port}`,
    caPem: ca.certPem,
    nameSuffix: `-${opts.prefix}-${id}`,
    namespaceSelector: { matchLabels: webhookLabels },
  });
  t.teardown(() => uninstallLocalWebhooks(admin, `-${opts.prefix}-${id}`));

  const client = new KubeClient(admin, { requestTimeoutMs: REQUEST_LIMIT_MS });
  t.teardown(() => client.close());
  return {
    id,
    namespace,
    podNamespace,
    leaseName,
    replicas,
    sharedFlags: [...flags.keys()].filter((f) => !LOCAL_FLAGS.includes(f)),
    caPem: ca.certPem,
    metrics: await metricsScrape(admin, objects),
    client,
  };
}
