// The operator installed as its users install it, on the real node (test/integration/in-cluster.test.ts):
// the certificate made by `orchestrator certs` and stored as docs/install.md §2b says, `kubectl apply -k`
// of an overlay of config/default that names the locally built image and carries the suite's controller
// config, the webhook configurations given the CA by the documented patch; then what a platform team
// looks at: the replicas' pods, the Lease, the memory the kubelet reports, admission through the Service.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parse, stringify } from 'yaml';
import type { ControllerConfig } from '../../../src/api/index.js';
import type { Cluster, LocalImage } from '../../../src/cluster/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { webhookPath } from '../../../src/webhook/handlers.js';
import { type CommandResult, kubectl, runCommand } from '../cluster/cluster.js';
import { get } from '../operator/installed-replicas.js';
import { waitFor } from '../util/wait.js';

export const SYSTEM_NAMESPACE = 'orchestrator-system';
const MANAGER_SELECTOR = 'app.kubernetes.io/name=orchestrator,app.kubernetes.io/component=manager';
const LEASE = `/apis/coordination.k8s.io/v1/namespaces/${SYSTEM_NAMESPACE}/leases/orchestrator-leader`;
const root = packageRoot();

/** The manager container of the shipped Deployment: its image (an overlay renames it) and ports. */
const shipped = (
  parse(readFileSync(join(root, 'config', 'manager', 'deployment.yaml'), 'utf8')) as {
    spec: {
      template: {
        spec: { containers: Array<{ image: string; ports: Array<{ name: string; containerPort: number }> }> };
      };
    };
  }
).spec.template.spec.containers[0];
if (!shipped) throw new Error('config/manager/deployment.yaml has no container');
/** The shipped image's repository, which an overlay renames. */
export const SHIPPED_IMAGE = shipped.image.replace(/:[^:/]*$/, '');
const WEBHOOK_PORT = shipped.ports.find((p) => p.name === 'webhook')?.containerPort;
const GATEWAY_PORT = shipped.ports.find((p) => p.name === 'gateway')?.containerPort;

/**
 * The model gateway Service's address: the real node has no cluster DNS (pods reach Services by IP,
 * docs/local-cluster.md), so the overlay fixes it (in the low, statically assigned part of the
 * cluster's 10.0.0.0/24) and the suite's config names it to the agents.
 */
export const GATEWAY_CLUSTER_IP = '10.0.0.12';

/** The shipped gateway.url (the Service's DNS name) with the Service's fixed address for its host. */
export function gatewayServiceUrl(config: ControllerConfig): string {
  if (!config.gateway.url) throw new Error('the config names no gateway.url');
  const url = new URL(config.gateway.url);
  url.hostname = GATEWAY_CLUSTER_IP;
  return url.origin;
}

/** One manager pod's gateway listener, reached at its own address. */
export function podGateway(ip: string): string {
  if (!GATEWAY_PORT) throw new Error('the shipped Deployment names no gateway port');
  return `http://${ip}:${GATEWAY_PORT}`;
}

/** kubectl, throwing with its stderr on a non-zero exit; killed after `timeoutMs` (scaled). */
export async function kubectlOk(
  cluster: Cluster,
  args: string[],
  input?: string,
  timeoutMs = 180_000,
): Promise<CommandResult> {
  const result = await kubectl(cluster, args, input, timeoutMs);
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${result.stderr || result.stdout}`);
  return result;
}

/**
 * docs/install.md §2b: `orchestrator certs` for the webhook and metrics Services, stored as the Secret
 * the Deployment mounts (with ca.crt, which the ServiceMonitor trusts). The CA's PEM.
 */
export async function installCertificate(cluster: Cluster, dir: string): Promise<string> {
  const out = join(dir, 'certs');
  const made = await runCommand([
    process.execPath,
    join(root, 'bin', 'orchestrator.js'),
    'certs',
    '--out',
    out,
    '--dns',
    `orchestrator-metrics.${SYSTEM_NAMESPACE}.svc`,
  ]);
  if (made.code !== 0) throw new Error(`orchestrator certs: ${made.stderr}`);
  await kubectl(cluster, ['create', 'namespace', SYSTEM_NAMESPACE]);
  await kubectl(cluster, ['-n', SYSTEM_NAMESPACE, 'delete', 'secret', 'orchestrator-webhook-tls']);
  await kubectlOk(cluster, [
    ...['-n', SYSTEM_NAMESPACE, 'create', 'secret', 'generic', 'orchestrator-webhook-tls'],
    '--type=kubernetes.io/tls',
    ...['tls.crt', 'tls.key', 'ca.crt'].map((f) => `--from-file=${join(out, f)}`),
  ]);
  return readFileSync(join(out, 'ca.crt'), 'utf8');
}

/**
 * An overlay of config/default as a user writes one: the image built here, the controller config
 * replacing the shipped one (the ConfigMap generator's hash rolls the pods when it changes), and the
 * gateway Service at its fixed address ({@link gatewayServiceUrl}).
 */
export function writeOverlay(dir: string, image: LocalImage, config: ControllerConfig): string {
  const overlay = join(dir, 'overlay');
  mkdirSync(overlay, { recursive: true });
  writeFileSync(join(overlay, 'controller-config.yaml'), stringify(config));
  const [newName, newTag] = image.name.split(':');
  writeFileSync(
    join(overlay, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      // kustomize takes no absolute root: the path from the overlay.
      resources: [relative(overlay, join(root, 'config', 'default'))],
      images: [{ name: SHIPPED_IMAGE, newName, newTag }],
      patches: [
        {
          target: { kind: 'Service', name: 'orchestrator-gateway' },
          patch: stringify([{ op: 'add', path: '/spec/clusterIP', value: GATEWAY_CLUSTER_IP }]),
        },
      ],
      configMapGenerator: [
        {
          name: 'orchestrator-config',
          namespace: SYSTEM_NAMESPACE,
          behavior: 'replace',
          files: ['controller-config.yaml'],
        },
      ],
    }),
  );
  return overlay;
}

/** docs/install.md §2b's loop: every webhook of both configurations gets the CA as its caBundle. */
export async function patchCaBundles(cluster: Cluster, caPem: string): Promise<void> {
  const ca = Buffer.from(caPem).toString('base64');
  for (const config of [
    'mutatingwebhookconfiguration/orchestrator-mutating',
    'validatingwebhookconfiguration/orchestrator-validating',
  ]) {
    const names = await kubectlOk(cluster, ['get', config, '-o', 'jsonpath={.webhooks[*].name}']);
    const patch = names.stdout
      .split(/\s+/)
      .filter(Boolean)
      .map((_, i) => ({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value: ca }));
    await kubectlOk(cluster, ['patch', config, '--type=json', '-p', JSON.stringify(patch)]);
  }
}

const sample = parse(readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8')) as KubeObject;

/** Where the suite's runs work: a repository on the suite's git host, as a user of it. */
export interface RunRepository {
  url: string;
  githubUser: string;
}

/** The sample TaskRun named `name` on `repository`, as a user's `kubectl apply` sends it. */
export const sampleTaskRun = (name: string, repository: RunRepository): KubeObject => ({
  ...sample,
  metadata: { ...sample.metadata, name },
  spec: { ...(sample.spec as object), repository },
});

const taskRuns = (ns: string) => `/apis/orchestrator.io/v1/namespaces/${ns}/agenttaskruns`;

/**
 * A server-side dry-run create of `run` in `ns`: it passes both webhooks (through the Service) and
 * stores nothing. Undefined when admitted, else how it failed.
 */
export async function dryRunCreate(
  client: KubeClient,
  ns: string,
  run: KubeObject,
): Promise<string | undefined> {
  try {
    await client.request('POST', `${taskRuns(ns)}?dryRun=All`, { body: run });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Until a dry-run create is admitted (the webhooks answer through the Service); the last failure seen. */
export const untilAdmitting = (client: KubeClient, ns: string, run: KubeObject, what: string) =>
  waitFor(
    what,
    async (note) => {
      const failure = await dryRunCreate(client, ns, run);
      // Why the webhooks do not answer is often the pods': say what their containers do.
      note(failure && { failure, pods: await managerPods(client).catch((err: Error) => err.message) });
      return failure === undefined;
    },
    { timeoutMs: 300_000, intervalMs: 250 },
  );

export interface ManagerPod {
  name: string;
  ip: string;
  ready: boolean;
  terminating: boolean;
  /** What its container does: running or waiting (why), restarts, and how it last ended. */
  state: string;
}

type ContainerState = {
  waiting?: { reason?: string };
  running?: object;
  terminated?: { reason?: string; exitCode?: number; message?: string };
};

function stateText(s: ContainerState | undefined): string {
  if (s?.running) return 'running';
  if (s?.waiting) return `waiting (${s.waiting.reason})`;
  if (s?.terminated) return `terminated (${s.terminated.reason}, exit ${s.terminated.exitCode})`;
  return 'no state';
}

/** The manager's pods as the Deployment made them. */
export async function managerPods(client: KubeClient): Promise<ManagerPod[]> {
  const list = await client.request<{ items: KubeObject[] }>(
    'GET',
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/pods?labelSelector=${encodeURIComponent(MANAGER_SELECTOR)}`,
  );
  return list.items.map((pod) => {
    const status = pod.status as {
      podIP?: string;
      conditions?: Array<{ type: string; status: string }>;
      containerStatuses?: Array<{
        state?: ContainerState;
        lastState?: ContainerState;
        restartCount?: number;
      }>;
    };
    const container = status.containerStatuses?.[0];
    const ended = container?.lastState?.terminated;
    const last = ended ? `; last ${stateText(container?.lastState)}: ${ended.message ?? ''}` : '';
    return {
      name: pod.metadata?.name ?? '',
      ip: status.podIP ?? '',
      terminating: Boolean(pod.metadata?.deletionTimestamp),
      ready: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false,
      state: `${stateText(container?.state)}, ${container?.restartCount ?? 0} restarts${last}`,
    };
  });
}

/** The pod holding the manager's Lease (its identity is `<pod>_<random>`), or undefined. */
export async function leaseHolder(client: KubeClient): Promise<string | undefined> {
  const lease = await client.request<KubeObject>('GET', LEASE).catch(() => undefined);
  const holder = (lease?.spec as { holderIdentity?: string } | undefined)?.holderIdentity;
  return holder ? holder.replace(/_[^_]*$/, '') : undefined;
}

/** Until `count` manager pods are ready (and none terminating) and one holds the Lease. */
export const untilReplicasReady = (client: KubeClient, count: number) =>
  waitFor(
    `${count} manager pods ready, one holding the Lease`,
    async (note) => {
      const pods = await managerPods(client);
      const holder = await leaseHolder(client);
      note({ pods, holder });
      const ready = pods.filter((p) => p.ready && !p.terminating);
      return pods.length === count && ready.length === count && ready.some((p) => p.name === holder)
        ? ready
        : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 500 },
  );

/**
 * The memory of each manager pod's container as the kubelet reports it (its Summary API, through the
 * apiserver's node proxy): resident set and working set, in MiB.
 */
export async function managerMemory(
  client: KubeClient,
  node: string,
): Promise<Record<string, { rssMiB: number; workingSetMiB: number }>> {
  const summary = await client.request<{
    pods: Array<{
      podRef: { name: string; namespace: string };
      containers?: Array<{ name: string; memory?: { rssBytes?: number; workingSetBytes?: number } }>;
    }>;
  }>('GET', `/api/v1/nodes/${node}/proxy/stats/summary`);
  const mib = (bytes = 0) => Math.round((bytes / 2 ** 20) * 10) / 10;
  return Object.fromEntries(
    summary.pods
      .filter((p) => p.podRef.namespace === SYSTEM_NAMESPACE)
      .flatMap((p) => {
        const manager = p.containers?.find((c) => c.name === 'manager');
        return manager
          ? [
              [
                p.podRef.name,
                {
                  rssMiB: mib(manager.memory?.rssBytes),
                  workingSetMiB: mib(manager.memory?.workingSetBytes),
                },
              ],
            ]
          : [];
      }),
  );
}

/**
 * The mutating webhook's JSON patch for `review`, asked of one pod directly (its IP, the Service's TLS
 * name): what that replica's config makes of a run.
 */
export async function podPatch(
  ip: string,
  caPem: string,
  review: object,
): Promise<Array<{ path: string; value?: unknown }>> {
  if (!WEBHOOK_PORT) throw new Error('the shipped Deployment names no webhook port');
  const target = { host: ip, port: WEBHOOK_PORT, servername: `orchestrator-webhook.${SYSTEM_NAMESPACE}.svc` };
  const answer = await get(target, webhookPath('mutate', 'TaskRun'), caPem, review);
  const patch = (JSON.parse(answer.body) as { response?: { patch?: string } }).response?.patch;
  return patch ? JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) : [];
}

/** The Deployment's controller config ConfigMap (its generated name) and the config in it. */
export async function installedConfigMap(
  client: KubeClient,
): Promise<KubeObject & { data: Record<string, string> }> {
  const deployment = await client.request<KubeObject>(
    'GET',
    `/apis/apps/v1/namespaces/${SYSTEM_NAMESPACE}/deployments/orchestrator`,
  );
  const volumes = (
    deployment.spec as {
      template: { spec: { volumes: Array<{ name: string; configMap?: { name: string } }> } };
    }
  ).template.spec.volumes;
  const name = volumes.find((v) => v.name === 'config')?.configMap?.name;
  if (!name) throw new Error('the Deployment mounts no config ConfigMap');
  return client.request('GET', `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps/${name}`);
}
