// The setup the suites of config/argo/events share (test/integration/argo-events/, one process):
// Argo's executor and Argo Events built and imported, the cluster with its
// real node, the workflow-controller, NATS, Argo Events' controller, a namespace the operator reconciles
// with its simulated agents, the WorkflowTemplates, the EventSource and Sensors ready; and how a test
// posts signed GitHub deliveries to the EventSource and waits on what the Sensors did.
import tap, { type Test } from 'tap';
import { KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import { suiteImages } from '../agent/agent-e2e.js';
import { kubeConfig, testCluster } from '../cluster/cluster.js';
import { type Delivery, type Payload, postDelivery } from '../remote/github.js';
import {
  installArgoEvents,
  installArgoEventsController,
  startNatsServer,
  untilEventsReady,
} from './argo-events.js';
import { sensorWaits } from './argo-events-waits.js';
import { argoEventsImage, argoexecImage } from './argo-images.js';
import { type OperatorNamespaceOptions, operatorNamespace } from './argo-operator.js';
import { installWorkflowTemplates, startWorkflowController } from './argo-workflows.js';
import { ensureCrds } from './crds.js';

export const SECRET = 'argo-events-suite-secret';
export const REPOSITORY = 'https://github.com/acme/payments';

/** A repository label, as GitHub's payloads carry them. */
export const label = (name: string) => ({
  id: 1,
  node_id: 'LA_1',
  url: `${REPOSITORY}/labels/${name}`,
  name,
  color: 'ededed',
  default: false,
  description: null,
});

let shared: ReturnType<typeof startShared> | undefined;

/**
 * What every suite of the process shares, started once and stopped when the process ends: the cluster
 * with its real node, our CRDs and Argo's, one workflow-controller (a second would run each Workflow
 * twice) and Argo Events' controller.
 */
async function startShared() {
  const [executor, events, agents] = await Promise.all([
    argoexecImage(),
    argoEventsImage(),
    suiteImages((step) => process.stderr.write(`[agent image] ${step}\n`)),
  ]);
  const cluster = await testCluster({ realNode: true, images: [executor, events, agents.trusting] });
  const busybox = cluster.realNode?.busybox.name;
  if (!busybox) throw new Error('testCluster({ realNode: true }) gave a cluster without a real node');
  await ensureCrds(cluster);
  const client = new KubeClient(kubeConfig(cluster));
  const controller = await startWorkflowController(cluster, executor);
  tap.teardown(async () => {
    client.close();
    await controller.process.stop();
  });
  await installArgoEventsController(cluster, events);
  return { cluster, busybox, client, controller, agentImage: agents.trusting.name, tls: agents.tls };
}

export type SharedArgo = Awaited<ReturnType<typeof startShared>>;

/**
 * The shared cluster, Argo and Argo Events (startShared), and of `t`'s own, stopped when it ends: a
 * NATS server (Argo Events' subjects carry no namespace), the operator's namespace with `operator`'s
 * options, the WorkflowTemplates, the EventSource and the Sensors.
 */
export const startEventsSuite = (t: Test, operator: OperatorNamespaceOptions) =>
  startEventsWorld(t, ({ cluster, client, busybox }) =>
    operatorNamespace(t, cluster, client, busybox, operator),
  );

/** startEventsSuite with the namespace `namespace` makes (and its operator) instead of the simulated agents'. */
export async function startEventsWorld(t: Test, namespace: (shared: SharedArgo) => Promise<string>) {
  shared ??= startShared();
  const { cluster, busybox, client, controller } = await shared;
  const nats = await startNatsServer();
  t.teardown(() => nats.process.stop());
  const ns = await namespace(await shared);
  // The plays its Sensors create check the task association in a step of the node's own busybox.
  await installWorkflowTemplates(cluster, ns, undefined, busybox);
  const sensors = (await installArgoEvents(cluster, client, ns, nats, SECRET)).filter(
    (o: KubeObject) => o.kind === 'Sensor',
  );
  const webhook = await untilEventsReady(client, ns, nats, sensors);
  t.comment(
    `EventSource at ${webhook}; Sensors subscribed: ${sensors.map((s) => s.metadata?.name).join(', ')}`,
  );
  /** A delivery of `event` signed as GitHub signs it (or as `extra` says), posted to the EventSource. */
  const post = async (event: string, body: Payload, extra: Partial<Delivery> = {}) =>
    postDelivery(webhook, SECRET, { event, body: JSON.stringify(body), ...extra });
  return { cluster, busybox, client, controller, ns, post, ...sensorWaits(client, ns, nats, sensors) };
}
