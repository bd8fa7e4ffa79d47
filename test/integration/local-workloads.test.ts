// The local control plane runs workloads: kube-scheduler places pods on a fake node, KWOK plays its
// kubelet through the stages of cluster/stages (annotations under sim.orchestrator.io/ pick the
// outcome), and the Job, TTL-after-finished and volume controllers do the rest, so a Job finishes by
// itself, as in a cluster.
import {
  ApiException,
  BatchV1Api,
  CoreV1Api,
  StorageV1Api,
  type V1Job,
  type V1JobSpec,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import t from 'tap';
import { clusterSource } from '../../src/cluster/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { waitFor } from '../harness/util/wait.js';

// The fake node and the stages are the built-in control plane's; envtest has no controller manager,
// and in a real cluster containers really run (and ignore the sim.orchestrator.io/ annotations).
if (clusterSource() !== 'local') {
  t.comment('workloads are simulated by the built-in control plane only (KWOK): not part of this run');
  process.exit(0);
}

const cluster = await testCluster({ workloads: true });
const kc = kubeConfig(cluster);
const core = kc.makeApiClient(CoreV1Api);
const batch = kc.makeApiClient(BatchV1Api);
const storage = kc.makeApiClient(StorageV1Api);

const notFound = (err: unknown) => err instanceof ApiException && err.code === 404;

/** Pods are refused until the namespace's default ServiceAccount exists (ServiceAccount admission). */
async function defaultServiceAccount(namespace: string): Promise<void> {
  await waitFor(`the default ServiceAccount of ${namespace}`, () =>
    core.readNamespacedServiceAccount({ name: 'default', namespace }).then(
      () => true,
      (err: unknown) => {
        if (notFound(err)) return false;
        throw err;
      },
    ),
  );
}

const container = { name: 'agent', image: 'busybox:1.36', command: ['sh', '-c', 'echo done'] };

function job(
  name: string,
  annotations: Record<string, string> = {},
  podSpec: Partial<V1PodSpec> = {},
  jobSpec: Partial<V1JobSpec> = {},
): V1Job {
  return {
    metadata: { name },
    spec: {
      backoffLimit: 0,
      ...jobSpec,
      template: {
        metadata: { annotations },
        spec: { restartPolicy: 'Never', containers: [container], ...podSpec },
      },
    },
  };
}

const jobCondition = (j: V1Job, type: string) =>
  j.status?.conditions?.find((c) => c.type === type && c.status === 'True');

async function jobPods(namespace: string, jobName: string): Promise<V1Pod[]> {
  const list = await core.listNamespacedPod({ namespace, labelSelector: `job-name=${jobName}` });
  return list.items;
}

async function jobFinished(namespace: string, name: string, type: 'Complete' | 'Failed'): Promise<V1Job> {
  return waitFor(`Job ${name} ${type}`, async (note) => {
    const j = await batch.readNamespacedJob({ name, namespace });
    note(j.status);
    return jobCondition(j, type) ? j : undefined;
  });
}

t.test('a Job runs to Complete: scheduled on the fake node, its pod simulated by kwok', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const started = performance.now();
  await batch.createNamespacedJob({ namespace, body: job('hello') });
  const done = await jobFinished(namespace, 'hello', 'Complete');
  t.comment(`Job to Complete: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  t.equal(done.status?.succeeded, 1, 'one pod succeeded');
  const [pod] = await jobPods(namespace, 'hello');
  t.equal(pod?.status?.phase, 'Succeeded');
  t.match(pod?.spec?.nodeName, /^kwok-node-\d+$/, 'placed by the scheduler on a fake node');
  t.match(pod?.status?.podIP, /^10\.244\./, 'a pod IP from the node CIDR');
  const simulated = pod?.status?.conditions?.find((c) => c.type === 'sim.orchestrator.io/Simulated');
  t.match(simulated?.message, /simulated by kwok/, 'the pod says it was simulated');
  t.match(pod?.status?.containerStatuses?.[0]?.state?.terminated, { exitCode: 0, reason: 'Completed' });
});

t.test('sim.orchestrator.io/exit-code fails the pod and (backoffLimit 0) the Job', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await batch.createNamespacedJob({
    namespace,
    body: job('fails', {
      'sim.orchestrator.io/exit-code': '3',
      'sim.orchestrator.io/termination-message': 'tests failed',
    }),
  });
  const failed = await jobFinished(namespace, 'fails', 'Failed');
  t.equal(jobCondition(failed, 'Failed')?.reason, 'BackoffLimitExceeded');
  const [pod] = await jobPods(namespace, 'fails');
  t.equal(pod?.status?.phase, 'Failed');
  t.match(pod?.status?.containerStatuses?.[0]?.state?.terminated, {
    exitCode: 3,
    reason: 'Error',
    message: 'tests failed',
  });
});

t.test('sim.orchestrator.io/init-exit-code fails prepare-workspace; the agent never starts', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const init = { name: 'prepare-workspace', image: 'busybox:1.36', command: ['true'] };
  await batch.createNamespacedJob({
    namespace,
    body: job('init-fails', { 'sim.orchestrator.io/init-exit-code': '2' }, { initContainers: [init] }),
  });
  await jobFinished(namespace, 'init-fails', 'Failed');
  const [pod] = await jobPods(namespace, 'init-fails');
  t.equal(pod?.status?.phase, 'Failed');
  t.match(pod?.status?.initContainerStatuses?.[0], {
    name: 'prepare-workspace',
    state: { terminated: { exitCode: 2 } },
  });
  t.ok(pod?.status?.containerStatuses?.[0]?.state?.waiting, 'the agent container never ran');
});

t.test('with init containers and a delay, a pod passes through init and Running', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const init = { name: 'prepare-workspace', image: 'busybox:1.36', command: ['true'] };
  await batch.createNamespacedJob({
    namespace,
    body: job('long', { 'sim.orchestrator.io/delay': '1h' }, { initContainers: [init] }),
  });
  const running = await waitFor('the pod Running and Ready, the Job active', async (note) => {
    const [pod] = await jobPods(namespace, 'long');
    const j = await batch.readNamespacedJob({ name: 'long', namespace });
    note({ pod: pod?.status, job: j.status });
    const ready = pod?.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
    return pod?.status?.phase === 'Running' && ready && j.status?.active === 1 ? pod : undefined;
  });
  t.match(running.status?.initContainerStatuses?.[0]?.state?.terminated, { exitCode: 0 });
  t.ok(running.status?.containerStatuses?.[0]?.state?.running, 'the agent runs');

  // Deleting the Job deletes its running pod: kwok stops it (as a kubelet would) and removes it.
  await batch.deleteNamespacedJob({ name: 'long', namespace, propagationPolicy: 'Background' });
  await waitFor('the pod is gone', async (note) => {
    const pods = await jobPods(namespace, 'long');
    note(pods.map((p) => p.status?.phase));
    return pods.length === 0;
  });
  t.pass('the running pod was stopped and removed');
});

t.test('init containers run one after another, as a kubelet runs them: the agent runs alone', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const inits = ['prepare-workspace', 'agent'].map((name) => ({
    name,
    image: 'busybox:1.36',
    command: ['true'],
  }));
  await batch.createNamespacedJob({
    namespace,
    body: job(
      'in-order',
      { 'sim.orchestrator.io/init-delay': '3s', 'sim.orchestrator.io/delay': '1h' },
      { initContainers: inits, containers: [{ ...container, name: 'publish' }] },
    ),
  });
  type State = 'waiting' | 'running' | 'terminated' | undefined;
  const states = (pod: V1Pod | undefined) =>
    Object.fromEntries(
      [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])].map((c) => [
        c.name,
        (c.state?.running
          ? 'running'
          : c.state?.terminated
            ? 'terminated'
            : c.state?.waiting && 'waiting') as State,
      ]),
    );
  // Each state the pod passes through, in order (a wait polls faster than the 3 s each init runs).
  const seen: string[] = [];
  await waitFor('the publisher running', async (note) => {
    const [pod] = await jobPods(namespace, 'in-order');
    const now = states(pod);
    note(now);
    const line = JSON.stringify(now);
    if (pod && seen.at(-1) !== line) seen.push(line);
    return now.publish === 'running';
  });
  const order = seen.map((l) => JSON.parse(l) as Record<string, State>);
  t.ok(
    order.some((s) => s['prepare-workspace'] === 'running' && s.agent === 'waiting'),
    `prepare-workspace runs while the agent waits: ${seen.join(' ')}`,
  );
  t.ok(
    order.some(
      (s) => s['prepare-workspace'] === 'terminated' && s.agent === 'running' && s.publish === 'waiting',
    ),
    `the agent runs once prepare-workspace has exited, before the publisher: ${seen.join(' ')}`,
  );
  const [pod] = await jobPods(namespace, 'in-order');
  const [prepare, agent] = pod?.status?.initContainerStatuses ?? [];
  const at = (time: Date | string | undefined) => new Date(time ?? Number.NaN).getTime();
  t.ok(
    at(agent?.state?.terminated?.startedAt) >= at(prepare?.state?.terminated?.finishedAt),
    'the agent started after prepare-workspace finished',
  );
});

t.test('a pod asking for more CPU than the node has stays Pending: Unschedulable', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await defaultServiceAccount(namespace);
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'huge' },
      spec: { containers: [{ ...container, resources: { requests: { cpu: '64' } } }] },
    },
  });
  const scheduled = await waitFor('PodScheduled=False', async (note) => {
    const pod = await core.readNamespacedPod({ name: 'huge', namespace });
    note(pod.status);
    return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  });
  t.equal(scheduled.reason, 'Unschedulable');
  t.match(scheduled.message, /0\/(\d+) nodes are available: \1 Insufficient cpu/, "the scheduler's message");
  const pod = await core.readNamespacedPod({ name: 'huge', namespace });
  t.equal(pod.status?.phase, 'Pending');
  t.notOk(pod.spec?.nodeName, 'not bound to a node');
});

t.test('a PVC of the default class binds, and a pod using it runs', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await defaultServiceAccount(namespace);
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: 'workspace' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  });
  const claim = await waitFor('the PVC Bound', async (note) => {
    const pvc = await core.readNamespacedPersistentVolumeClaim({ name: 'workspace', namespace });
    note(pvc.status);
    return pvc.status?.phase === 'Bound' ? pvc : undefined;
  });
  t.equal(claim.spec?.storageClassName, 'standard', 'the default StorageClass was applied');
  const volumeName = claim.spec?.volumeName as string;
  const pv = await core.readPersistentVolume({ name: volumeName });
  t.match(pv, { spec: { claimRef: { name: 'workspace', namespace } }, status: { phase: 'Bound' } });

  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'uses-it' },
      spec: {
        restartPolicy: 'Never',
        containers: [{ ...container, volumeMounts: [{ name: 'ws', mountPath: '/workspace' }] }],
        volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: 'workspace' } }],
      },
    },
  });
  await waitFor('the pod Succeeded', async (note) => {
    const pod = await core.readNamespacedPod({ name: 'uses-it', namespace });
    note(pod.status);
    return pod.status?.phase === 'Succeeded';
  });

  // The claim released, its volume (reclaim policy Delete) is deleted.
  await core.deleteNamespacedPod({ name: 'uses-it', namespace });
  await core.deleteNamespacedPersistentVolumeClaim({ name: 'workspace', namespace });
  await waitFor('the PV deleted', () =>
    core.readPersistentVolume({ name: volumeName }).then(
      () => false,
      (err: unknown) => {
        if (notFound(err)) return true;
        throw err;
      },
    ),
  );
  t.pass('claim deleted, volume released and deleted');
});

t.test('a pod whose PVC nobody provisions stays Pending', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const className = `${namespace}-none`;
  await storage.createStorageClass({
    body: {
      metadata: { name: className },
      provisioner: 'example.com/nobody',
      volumeBindingMode: 'Immediate',
    },
  });
  t.teardown(() => storage.deleteStorageClass({ name: className }).catch(() => undefined));
  await defaultServiceAccount(namespace);
  await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: 'orphan' },
      spec: {
        storageClassName: className,
        accessModes: ['ReadWriteOnce'],
        resources: { requests: { storage: '1Gi' } },
      },
    },
  });
  await core.createNamespacedPod({
    namespace,
    body: {
      metadata: { name: 'waits' },
      spec: {
        containers: [{ ...container, volumeMounts: [{ name: 'ws', mountPath: '/workspace' }] }],
        volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: 'orphan' } }],
      },
    },
  });
  const scheduled = await waitFor('PodScheduled=False', async (note) => {
    const pod = await core.readNamespacedPod({ name: 'waits', namespace });
    note(pod.status);
    return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  });
  t.equal(scheduled.reason, 'Unschedulable');
  t.match(scheduled.message, /unbound immediate PersistentVolumeClaims/, "the scheduler's message");
  const pvc = await core.readNamespacedPersistentVolumeClaim({ name: 'orphan', namespace });
  t.equal(pvc.status?.phase, 'Pending', 'the claim is not bound');
  const pod = await core.readNamespacedPod({ name: 'waits', namespace });
  t.equal(pod.status?.phase, 'Pending');
});

t.test('a finished Job with ttlSecondsAfterFinished is deleted with its pod', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const created = await batch.createNamespacedJob({
    namespace,
    body: job('short-lived', {}, {}, { ttlSecondsAfterFinished: 1 }),
  });
  // The TTL-after-finished controller deletes only finished Jobs: gone means it completed first.
  await waitFor('the Job gone', async (note) => {
    try {
      const j = await batch.readNamespacedJob({ name: 'short-lived', namespace });
      note(j.status);
      return false;
    } catch (err) {
      if (notFound(err)) return true;
      throw err;
    }
  });
  await waitFor('its pod gone', async (note) => {
    const pods = await core.listNamespacedPod({
      namespace,
      labelSelector: `controller-uid=${created.metadata?.uid}`,
    });
    note(pods.items.map((p) => p.status?.phase));
    return pods.items.length === 0;
  });
  t.pass('Job and pod deleted after they finished');
});
