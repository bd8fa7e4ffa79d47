// Where a run's logs are: the run → its attempt's Job (the name status records, or the one the kind's
// strategy computes for a former attempt) → the Job's pod → the agent (or init) container. Each step
// that finds nothing says why, and whether waiting can cure it (`orchestrator logs -f` waits then). The
// CLI reads the log through the apiserver as its user; the REST API as the manager, for its caller.
import { jobNameFor, type RunKindName, type RunOf, type RunStatus, runFinished } from '../api/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER } from '../naming/index.js';
import {
  type ApiRequester,
  isNotFound,
  JOBS,
  type KubeObject,
  ownedBy,
  PODS,
  resourcePath,
} from '../runtime/index.js';

const runStatus = (run: KubeObject): RunStatus => (run.status ?? {}) as RunStatus;

/** The container whose log is shown, and the pod it ran in. */
export interface LogSource {
  attempt: number;
  jobName: string;
  pod: string;
  /** The pod's uid: a pod re-created under the same name is another log. */
  podUid: string;
  container: string;
  /** The container has ended: its whole log can be read, and nothing follows. */
  terminated: boolean;
}

/** Why there is no log to read (yet): `wait` when it may come by itself (a pod not started yet). */
export interface NoLogs {
  wait: boolean;
  message: string;
}

export type Located = { source: LogSource; none?: undefined } | { source?: undefined; none: NoLogs };

interface ContainerStatus {
  name: string;
  state?: {
    running?: object;
    terminated?: object;
    waiting?: { reason?: string; message?: string };
  };
}

interface Pod extends KubeObject {
  status?: {
    phase?: string;
    reason?: string;
    message?: string;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
}

/** `taskrun payments-task-7`: how messages name the run. */
export const runLabel = (kind: RunKindName, run: KubeObject) => `${kind.toLowerCase()} ${run.metadata?.name}`;

/** What the run's status says, for the messages that explain a missing Job or pod. */
export function statusSays(run: KubeObject): string {
  const { phase = 'Pending', message } = runStatus(run);
  return `status says ${phase}${message ? `: ${message}` : ''}`;
}

/** The attempt's Job: status names the current one; a former one's name is computed as the reconciler does. */
export function attemptJobName(kind: RunKindName, run: KubeObject, attempt: number): string {
  const status = runStatus(run);
  if (attempt === status.attempt && status.jobName) return status.jobName;
  return jobNameFor(kind, run as RunOf<RunKindName>, attempt);
}

const containerStatus = (pod: Pod, container: string) =>
  [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])].find(
    (c) => c.name === container,
  );

const started = (pod: Pod, container: string) => {
  const state = containerStatus(pod, container)?.state;
  return !!(state?.running || state?.terminated);
};

const newest = (pods: Pod[]) =>
  pods.reduce<Pod | undefined>(
    (best, p) =>
      !best || String(p.metadata?.creationTimestamp) > String(best.metadata?.creationTimestamp) ? p : best,
    undefined,
  );

/** The pod whose log to show: the newest whose container started (the one that ran), else the newest. */
export function choosePod(pods: Pod[], container: string): Pod | undefined {
  return newest(pods.filter((p) => started(p, container))) ?? newest(pods);
}

/** Why the container has not started: its waiting reason, else the pod's phase and reason. */
export function notStartedReason(pod: Pod, container: string): string {
  const waiting = containerStatus(pod, container)?.state?.waiting;
  if (waiting?.reason) return `${waiting.reason}${waiting.message ? `: ${waiting.message}` : ''}`;
  const { phase = 'Pending', reason, message } = pod.status ?? {};
  return [phase, reason, message].filter(Boolean).join(': ');
}

/**
 * Finds the container of the run's `attempt` (default: the current one). Reads the Job and its pods
 * (each call bounded by the client's timeout); a Job another object controls is never used.
 */
export async function locate(
  client: ApiRequester,
  kind: RunKindName,
  run: KubeObject,
  opts: { attempt?: number; init?: boolean },
): Promise<Located> {
  const label = runLabel(kind, run);
  const current = runStatus(run).attempt;
  const waiting = !runFinished(kind, run);
  if (current === undefined)
    return { none: { wait: waiting, message: `${label} has no Job yet (${statusSays(run)})` } };
  const attempt = opts.attempt ?? current;
  if (attempt > current)
    return {
      none: { wait: false, message: `${label} is at attempt ${current}: it has no attempt ${attempt}` },
    };
  const jobName = attemptJobName(kind, run, attempt);
  const namespace = run.metadata?.namespace;
  let job: KubeObject;
  try {
    job = await client.request('GET', resourcePath(JOBS, namespace, jobName));
  } catch (err) {
    if (!isNotFound(err)) throw err;
    const message = `the Job of attempt ${attempt}, ${jobName}, is gone (removed by cleanup: the Job's TTL, a retry or a deletion); ${statusSays(run)}`;
    return { none: { wait: waiting && attempt === current && opts.attempt === undefined, message } };
  }
  if (!ownedBy(job, run.metadata?.uid))
    return {
      none: { wait: false, message: `Job ${jobName} is not ${label}'s (another controller owns it)` },
    };
  const pods = await client.request<{ items?: Pod[] }>('GET', resourcePath(PODS, namespace), {
    query: { labelSelector: `batch.kubernetes.io/controller-uid=${job.metadata?.uid}` },
  });
  const container = opts.init ? PREPARE_CONTAINER : AGENT_CONTAINER;
  const own = (pods.items ?? []).filter((p) => ownedBy(p, job.metadata?.uid));
  const pod = choosePod(own, container);
  const jobDone = (
    (job.status as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? []
  ).some((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  if (!pod)
    return jobDone
      ? {
          none: {
            wait: false,
            message: `the pod of Job ${jobName} (attempt ${attempt}) is gone (removed by cleanup or pod garbage collection); ${statusSays(run)}`,
          },
        }
      : { none: { wait: true, message: `Job ${jobName} (attempt ${attempt}) has no pod yet` } };
  const podName = pod.metadata?.name ?? '';
  if (!started(pod, container))
    return {
      none: {
        wait: !jobDone,
        message: `the ${container} container of pod ${podName} (attempt ${attempt}) has not started: ${notStartedReason(pod, container)}`,
      },
    };
  return {
    source: {
      attempt,
      jobName,
      pod: podName,
      podUid: pod.metadata?.uid ?? '',
      container,
      terminated: !!containerStatus(pod, container)?.state?.terminated,
    },
  };
}
