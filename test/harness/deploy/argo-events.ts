// Argo Events executed on the local cluster (docs/argo.md "How they are checked"): nats-server of
// test/go-tools on the host at the pods' gateway (the EventBus, as `jetstreamExotic`: TLS is
// mandatory for Argo Events' JetStream client, so the server has a certificate of its own CA), and
// upstream's cluster install of the controller, as a pod on the real node, whose EventSource and
// Sensor pods run there too. Argo Events' stream has a fixed name and no namespace in its subjects,
// so one server serves one namespace.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAuthority } from '../../../src/certs/authority.js';
import type { Cluster, LocalImage } from '../../../src/cluster/index.js';
import { type KubeClient, type KubeObject, PODS, resourcePath } from '../../../src/runtime/index.js';
import { freePort } from '../../../src/util/free-port.js';
import { tailFile } from '../../../src/util/index.js';
import { NODE_GATEWAY } from '../agent/agent-e2e.js';
import { kubectl } from '../cluster/cluster.js';
import { goModuleFiles } from '../cluster/go-module-files.js';
import { createSecret } from '../cluster/secrets.js';
import { NATS_SERVER, testToolBinary } from '../cluster/test-tools.js';
import { startTied, type TiedProcess } from '../cluster/tied-process.js';
import { scaled, waitFor } from '../util/wait.js';
import { ARGO_EVENTS, EVENTS_INSTALL, ensureArgoCrds } from './argo.js';
import { argoConfigWith } from './argo-kustomize.js';
import { ARGO_CONFIG } from './argo-manifests.js';
import { applyObjects, kustomize } from './kustomize.js';

/** Where upstream's cluster install puts the controller. */
const CONTROLLER_NAMESPACE = 'argo-events';

export interface NatsServer {
  /** The client URL pods use (the host on their bridge). */
  url: string;
  caPem: string;
  process: TiedProcess;
  tail(lines?: number): string;
  /**
   * The durable consumers of Argo Events' stream (`stream/name`: one per Sensor trigger and dependency
   * once subscribed), with the messages not yet delivered to them and those delivered, not acknowledged.
   */
  consumerStates(): Promise<ConsumerState[]>;
}

/** nats-server with JetStream and TLS on the pods' gateway; its monitoring on loopback only. */
export async function startNatsServer(): Promise<NatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'nats-server-'));
  const ca = await createAuthority('orchestrator-test-nats-ca');
  const serving = await ca.issueServing({ commonName: NODE_GATEWAY, ipAddresses: [NODE_GATEWAY] });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem, { mode: 0o600 });
  const port = await freePort(NODE_GATEWAY);
  const monitor = await freePort('127.0.0.1');
  writeFileSync(
    join(dir, 'nats.conf'),
    [
      `listen: "${NODE_GATEWAY}:${port}"`,
      `http: "127.0.0.1:${monitor}"`,
      `jetstream { store_dir: "${join(dir, 'store')}" }`,
      `tls { cert_file: "${join(dir, 'tls.crt')}", key_file: "${join(dir, 'tls.key')}", timeout: 5 }`,
      '',
    ].join('\n'),
  );
  const log = join(dir, 'nats.log');
  writeFileSync(log, '');
  const binary = await testToolBinary(NATS_SERVER);
  const process = await startTied([binary, '-c', join(dir, 'nats.conf')], log);
  const tail = (lines = 20) => tailFile(log, lines);
  await waitFor('nats-server ready', () => {
    if (!process.running()) throw new Error(`nats-server exited:\n${tail()}`);
    return readFileSync(log, 'utf8').includes('Server is ready');
  });
  const consumerStates = async () => {
    const res = await fetch(`http://127.0.0.1:${monitor}/jsz?accounts=true&streams=true&consumers=true`);
    const body = (await res.json()) as {
      account_details?: { stream_detail?: { name: string; consumer_detail?: ConsumerDetail[] }[] }[];
    };
    return (body.account_details ?? []).flatMap((a) =>
      (a.stream_detail ?? []).flatMap((s) =>
        (s.consumer_detail ?? []).map((c) => ({
          name: `${s.name}/${c.name}`,
          numPending: c.num_pending ?? 0,
          numAckPending: c.num_ack_pending ?? 0,
        })),
      ),
    );
  };
  return { url: `nats://${NODE_GATEWAY}:${port}`, caPem: ca.certPem, process, tail, consumerStates };
}

export interface ConsumerState {
  name: string;
  numPending: number;
  numAckPending: number;
}

/** A consumer as nats-server's monitoring endpoint (/jsz) reports it. */
interface ConsumerDetail {
  name: string;
  num_pending?: number;
  num_ack_pending?: number;
}

type Container = { name: string; image?: string; imagePullPolicy?: string; env?: object[] };

/**
 * Upstream's cluster install (its Deployment, ServiceAccount, ClusterRole and binding; the CRDs are
 * ensureArgoCrds'), with the local image, which the controller also gives the EventSource and Sensor
 * pods; resolves once the controller's Deployment is available.
 */
export async function installArgoEventsController(cluster: Cluster, image: LocalImage): Promise<void> {
  await ensureArgoCrds(cluster, 'minimal');
  const created = await kubectl(cluster, ['create', 'namespace', CONTROLLER_NAMESPACE]);
  if (created.code !== 0 && !created.stderr.includes('AlreadyExists')) throw new Error(created.stderr);
  const dir = join(await goModuleFiles(ARGO_EVENTS), EVENTS_INSTALL);
  const objects = (await kustomize(cluster, dir)).filter((o) => o.kind !== 'CustomResourceDefinition');
  for (const o of objects.filter((o) => o.kind === 'Deployment')) {
    const containers = (o.spec as { template: { spec: { containers: Container[] } } }).template.spec
      .containers;
    for (const c of containers) {
      c.image = image.name;
      // The node has the image and no registry; IMAGE_PULL_POLICY is what the controller gives its pods.
      c.imagePullPolicy = 'Never';
      c.env = [
        ...(c.env ?? []).filter((e) => (e as { name: string }).name !== 'ARGO_EVENTS_IMAGE'),
        { name: 'ARGO_EVENTS_IMAGE', value: image.name },
        { name: 'IMAGE_PULL_POLICY', value: 'Never' },
      ];
    }
  }
  const applied = await applyObjects(cluster, objects);
  if (applied.code !== 0) throw new Error(`applying Argo Events' install: ${applied.stderr}`);
  const rollout = await kubectl(
    cluster,
    [
      'rollout',
      'status',
      '-n',
      CONTROLLER_NAMESPACE,
      'deployment/controller-manager',
      `--timeout=${scaled(300)}s`,
    ],
    undefined,
    scaled(310_000),
  );
  if (rollout.code !== 0) throw new Error(`Argo Events' controller not available: ${rollout.stderr}`);
}

/** The Secrets the install names: the webhook's secret, and the bus's CA. */
export const WEBHOOK_SECRET = 'github-webhook-secret';
const BUS_CA_SECRET = 'eventbus-nats-ca';

/**
 * In `namespace`: the EventBus `default` on `nats`, the webhook's Secret, and config/argo/events (the
 * EventSource `github`, the Sensors and their account) as shipped, for an install with the seed's Apps.
 */
export async function installArgoEvents(
  cluster: Cluster,
  client: KubeClient,
  namespace: string,
  nats: NatsServer,
  webhookSecret: string,
): Promise<KubeObject[]> {
  const secret = (name: string, data: Record<string, string>) => createSecret(client, namespace, name, data);
  await secret(WEBHOOK_SECRET, { secret: webhookSecret });
  await secret(BUS_CA_SECRET, { 'ca.crt': nats.caPem });
  const bus = {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'EventBus',
    metadata: { name: 'default', namespace },
    spec: {
      jetstreamExotic: {
        url: nats.url,
        tls: { caCertSecret: { name: BUS_CA_SECRET, key: 'ca.crt' } },
        // One server: a stream of one replica (upstream's default is 3).
        streamConfig: 'maxMsgs: 50000\nmaxAge: 1h\nmaxBytes: -1\nreplicas: 1\nduplicates: 300s\n',
      },
    },
  };
  const events = (await kustomize(cluster, argoConfigWith(join(ARGO_CONFIG, 'events')))).map((o) => ({
    ...o,
    metadata: { ...o.metadata, namespace },
  }));
  const applied = await applyObjects(cluster, [bus, ...events]);
  if (applied.code !== 0) throw new Error(`applying config/argo/events: ${applied.stderr}`);
  return events;
}

/** The pods of one EventSource or Sensor (by the label Argo Events' controller gives them). */
async function podsOf(client: KubeClient, namespace: string, selector: string): Promise<KubeObject[]> {
  const list = await client.request<{ items: KubeObject[] }>('GET', resourcePath(PODS, namespace), {
    query: { labelSelector: selector },
  });
  return list.items;
}

const running = (pod: KubeObject) =>
  (pod.status as { phase?: string; containerStatuses?: { ready?: boolean }[] } | undefined)?.phase ===
  'Running';

/** FNV-1a, 32 bits, in decimal: Argo Events' util.Hasher. */
function fnv1a(value: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(value)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return String(hash);
}

/**
 * The durable consumers a Sensor subscribes with (its getDurableName): one per trigger and dependency
 * the trigger depends on (those its `conditions` names, else every one).
 */
export function sensorConsumers(sensor: KubeObject): string[] {
  const spec = sensor.spec as {
    dependencies: { name: string }[];
    triggers: { template: { name: string; conditions?: string } }[];
  };
  return spec.triggers.flatMap((t) => {
    const named = t.template.conditions?.match(/[\w-]+/g);
    return spec.dependencies
      .filter((d) => !named || named.includes(d.name))
      .map((d) => `default/group-${fnv1a(`${sensor.metadata?.name}-${t.template.name}-${d.name}`)}`);
  });
}

/**
 * Until the EventSource `github` has a running pod and every Sensor of `sensors` subscribed (its
 * durable consumers on the stream: a Sensor sees only events published after that); the
 * EventSource pod's webhook URL.
 */
export async function untilEventsReady(
  client: KubeClient,
  namespace: string,
  nats: NatsServer,
  sensors: KubeObject[],
): Promise<string> {
  const pod = await waitFor(
    "EventSource github's pod running",
    async (note) => {
      const pods = await podsOf(client, namespace, 'eventsource-name=github');
      note(pods.map((p) => p.status));
      return pods.find(running);
    },
    { timeoutMs: 300_000, intervalMs: 500 },
  );
  const wanted = sensors.flatMap(sensorConsumers);
  await waitFor(
    `Sensors ${sensors.map((s) => s.metadata?.name).join(', ')} subscribed to the bus`,
    async (note) => {
      const consumers = (await nats.consumerStates()).map((c) => c.name);
      const pods = await podsOf(client, namespace, 'sensor-name');
      note({
        wanted,
        consumers,
        pods: pods.map((p) => [p.metadata?.name, (p.status as { phase?: string } | undefined)?.phase]),
        nats: nats.tail(3),
      });
      return wanted.every((c) => consumers.includes(c));
    },
    { timeoutMs: 300_000, intervalMs: 1000 },
  );
  const ip = (pod.status as { podIP?: string }).podIP;
  return `http://${ip}:12000/github/webhook`;
}
