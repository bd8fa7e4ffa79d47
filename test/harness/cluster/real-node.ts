// Pods on the local cluster's real node (test/integration/real-node.test.ts): the restricted-profile
// security context every pod there gets, and waits for what the kubelet decides.
import { JOBS, type KubeClient, type KubeObject, PODS, resourcePath } from '../../../src/runtime/index.js';
import { waitFor } from '../util/wait.js';

/** The pod-level half of the restricted Pod Security Standard, as the agents' pods have it. */
export const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  fsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};

/** The container-level half. */
export const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  readOnlyRootFilesystem: true,
};

export interface ContainerState {
  terminated?: { exitCode: number; message?: string; reason?: string };
  waiting?: { reason?: string; message?: string };
}

export interface PodStatus {
  phase?: string;
  containerStatuses?: { name: string; state?: ContainerState }[];
  initContainerStatuses?: { name: string; state?: ContainerState }[];
}

/** A busybox container running `script` with sh, restricted, on the node's copy of the image. */
export function shContainer(name: string, image: string, script: string, extra: object = {}): object {
  return {
    name,
    image,
    imagePullPolicy: 'Never',
    command: ['sh', '-c', script],
    securityContext: RESTRICTED_CONTAINER,
    ...extra,
  };
}

/** Until the pod has finished (Succeeded or Failed); the pod. */
export function untilPodDone(client: KubeClient, namespace: string, name: string): Promise<KubeObject> {
  return waitFor(
    `pod ${name} Succeeded or Failed on the real node`,
    async (note) => {
      const pod = await client.request<KubeObject>('GET', resourcePath(PODS, namespace, name));
      const status = pod.status as PodStatus | undefined;
      note(status);
      return status?.phase === 'Succeeded' || status?.phase === 'Failed' ? pod : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
}

/**
 * Creates a Job (no retries) of one pod with this spec and these labels; resolves to the Job's pod
 * once it finished.
 */
export async function runJob(
  client: KubeClient,
  namespace: string,
  name: string,
  podSpec: object,
  labels: Record<string, string> = {},
): Promise<KubeObject> {
  await client.request('POST', resourcePath(JOBS, namespace), {
    body: {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name },
      spec: {
        backoffLimit: 0,
        template: { metadata: { labels }, spec: { restartPolicy: 'Never', ...podSpec } },
      },
    },
  });
  const pod = await waitFor(`the pod of Job ${name}`, async () => {
    const list = await client.request<{ items: KubeObject[] }>('GET', resourcePath(PODS, namespace), {
      query: { labelSelector: `job-name=${name}` },
    });
    return list.items[0];
  });
  return untilPodDone(client, namespace, pod.metadata?.name ?? '');
}

/** The Job's condition that ended it (Complete or Failed), once the Job controller has seen the pod. */
export function untilJobFinished(client: KubeClient, namespace: string, name: string): Promise<string> {
  return waitFor(`Job ${name} Complete or Failed`, async (note) => {
    const job = await client.request<KubeObject>('GET', resourcePath(JOBS, namespace, name));
    const conditions = (job.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions;
    note(conditions);
    return conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True')
      ?.type;
  });
}

/** The state of a container of a finished pod. */
export function containerState(pod: KubeObject, container: string, init = false): ContainerState | undefined {
  const status = pod.status as PodStatus;
  const list = init ? status.initContainerStatuses : status.containerStatuses;
  return list?.find((c) => c.name === container)?.state;
}

/**
 * A pod serving HTTP on `port` (busybox httpd, a page of its own on an emptyDir) with these labels
 * (and more of the pod's securityContext); resolves to its IP once it runs.
 */
export async function servePod(
  client: KubeClient,
  namespace: string,
  name: string,
  image: string,
  labels: Record<string, string>,
  port: number,
  podSecurity: object = {},
): Promise<string> {
  const serve = `echo hello > /www/index.html && exec httpd -f -p ${port} -h /www`;
  await client.request('POST', resourcePath(PODS, namespace), {
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels },
      spec: {
        securityContext: { ...RESTRICTED_POD, ...podSecurity },
        containers: [shContainer(name, image, serve, { volumeMounts: [{ name: 'www', mountPath: '/www' }] })],
        volumes: [{ name: 'www', emptyDir: {} }],
      },
    },
  });
  return waitFor(`pod ${name} running with an IP`, async (note) => {
    const pod = await client.request<KubeObject>('GET', resourcePath(PODS, namespace, name));
    const status = pod.status as PodStatus & { podIP?: string };
    note(status);
    return status.phase === 'Running' ? status.podIP : undefined;
  });
}

/**
 * A container that says whether `host:port` answers (a line back to an HTTP request, which even a TLS
 * port sends): it prints `reached` or `refused`. The NetworkPolicy engine applies a policy some time
 * after the pod starts, so the probe waits for the outcome it is told to expect (up to 30 tries a
 * second apart), then checks that the outcome holds three times more; the other outcome is printed
 * when it does not come or does not hold.
 */
export function probeContainer(
  image: string,
  host: string,
  port: number,
  expect: 'reached' | 'refused',
): object {
  const other = expect === 'reached' ? 'refused' : 'reached';
  const test = expect === 'reached' ? 'answered' : '! answered';
  const script = [
    `answered() { [ -n "$(printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} ${port} 2>/dev/null | head -1)" ]; }`,
    `for i in $(seq 30); do ${test} && break; sleep 1; done`,
    `for i in 1 2 3; do ${test} || { echo ${other}; exit 0; }; done`,
    `echo ${expect}`,
  ].join('\n');
  return shContainer('probe', image, script);
}
