// What a failed `GET …/pods/{pod}/log` means. The apiserver proxies the request to the node's kubelet,
// so some answers are the apiserver's (404: the pod is gone) and some are the kubelet's, relayed
// (400: the container is waiting to start), and one is neither: the apiserver could not reach a
// kubelet at all (500 `Get "https://{node}:10250/containerLogs/…": dial tcp …`), which is what the
// local cluster's simulated nodes answer — KWOK plays their kubelet's status, not its API. Answers
// recorded from the real apiserver: test/fixtures/pod-logs.
import { ApiError, RequestTimeoutError } from '../runtime/index.js';

export const NO_KUBELET = 'the local cluster simulates pods (no kubelet): no container logs';

/** The node and the cause when the apiserver could not connect to the node's kubelet; else undefined. */
export function unreachableKubelet(err: unknown): { node: string; cause: string } | undefined {
  if (!(err instanceof ApiError) || err.status < 500) return undefined;
  const message = (err.body as { message?: unknown } | undefined)?.message;
  const m =
    typeof message === 'string'
      ? /^Get "https?:\/\/([^/"]+)\/containerLogs\/[^"]*": (.*)$/s.exec(message)
      : null;
  if (!m) return undefined;
  const host = m[1] as string;
  return { node: host.replace(/:\d+$/, ''), cause: m[2] as string };
}

/** The message for an unreachable kubelet: the local cluster's case first, since it is the usual one. */
export function noKubeletMessage(pod: string, found: { node: string; cause: string }): string {
  return `no logs for pod ${pod}: ${NO_KUBELET}. (The apiserver cannot reach the kubelet of node ${found.node}: ${found.cause}; on a cluster with real nodes, that node's kubelet is down or unreachable.)`;
}

/** The kubelet's answer for a container that has not started (relayed as 400 BadRequest). */
export const waitingToStart = (err: unknown): boolean =>
  err instanceof ApiError && err.status === 400 && /is waiting to start/.test(err.message);

/** The pod went away between finding it and reading its log. */
export const podGone = (err: unknown): boolean => err instanceof ApiError && err.status === 404;

/** Errors a follower outlives by trying again: the apiserver going away or failing, a pod in transition. */
export function transient(err: unknown): boolean {
  if (err instanceof ApiError)
    return err.status >= 500 || err.status === 429 || podGone(err) || waitingToStart(err);
  // No answer: refused, reset, timed out, or a stream cut (KubeClient's "connection closed").
  return (
    err instanceof RequestTimeoutError ||
    typeof (err as NodeJS.ErrnoException).code === 'string' ||
    /connection closed/.test((err as Error).message)
  );
}
