// Which attempt a pod's projected ServiceAccount token speaks for, read from the apiserver: the
// TokenReview says which pod the token is bound to; that pod (same uid and ServiceAccount), its Job
// (the uid the pod's owner reference names) and the run must be the current attempt of a run the
// operator made (attempt-pod.ts decides). One place for every credential an attempt's container asks
// the operator for: the phases' GitHub tokens (issuer.ts) and the agent's model gateway token
// (src/gateway/model-token-issuer.ts, wired by src/app/model-token-broker.ts).
import type { RunKindName } from '../../api/index.js';
import { runResource } from '../../api/index.js';
import type { Authentication } from '../../auth/index.js';
import {
  type ApiRequester,
  isNotFound,
  JOBS,
  type KubeObject,
  type OwnerReference,
  PODS,
  resourcePath,
} from '../../runtime/index.js';
import { currentAttempt, jobRun, podJob } from './attempt-pod.js';

/** A refusal with its HTTP status (409: ask again shortly). */
export class Refusal extends Error {
  constructor(
    readonly status: 401 | 403 | 404 | 409 | 502 | 503,
    message: string,
  ) {
    super(message);
  }
}

/** The pod a credential is bound to, as the TokenReview states it. */
export interface BoundPod {
  namespace: string;
  account: string;
  name: string;
  uid: string;
}

/** The current attempt a pod belongs to: the pod, its Job, and the run (of `kind`) that controls it. */
export interface PodAttempt {
  pod: KubeObject;
  job: KubeObject;
  run: KubeObject;
  kind: RunKindName;
  owner: OwnerReference;
}

const SERVICE_ACCOUNT = /^system:serviceaccount:([^:]+):([^:]+)$/;
const POD_NAME = 'authentication.kubernetes.io/pod-name';
const POD_UID = 'authentication.kubernetes.io/pod-uid';

/** The pod the credential is bound to (the reviewer checks its audience); a Refusal otherwise. */
export async function boundPod(
  reviewer: { authenticate(token: string): Promise<Authentication> },
  credential: string,
): Promise<BoundPod> {
  const review = await reviewer.authenticate(credential);
  if (!review.authenticated) throw new Refusal(401, review.reason);
  const account = SERVICE_ACCOUNT.exec(review.user.username);
  const name = review.user.extra?.[POD_NAME]?.[0];
  const uid = review.user.extra?.[POD_UID]?.[0];
  if (!account || !name || !uid)
    throw new Refusal(401, 'the token is not a ServiceAccount token bound to a pod');
  return { namespace: account[1] as string, account: account[2] as string, name, uid };
}

/** The object at `path`; a 404 is the refusal `missing`. */
async function read(client: ApiRequester, path: string, missing: string, signal?: AbortSignal) {
  try {
    return await client.request<KubeObject>('GET', path, signal ? { signal } : {});
  } catch (err) {
    if (isNotFound(err)) throw new Refusal(403, missing);
    throw err;
  }
}

/** The current attempt the bound pod is the pod of; a Refusal (403) when it is none's. */
export async function podAttempt(
  client: ApiRequester,
  bound: BoundPod,
  signal?: AbortSignal,
): Promise<PodAttempt> {
  const { namespace } = bound;
  const pod = await read(client, resourcePath(PODS, namespace, bound.name), 'no such pod', signal);
  const account = (pod.spec as { serviceAccountName?: string } | undefined)?.serviceAccountName ?? 'default';
  if (pod.metadata?.uid !== bound.uid || account !== bound.account)
    throw new Refusal(403, 'the token is bound to another pod than the one of that name');
  const jobRef = podJob(pod);
  if (!jobRef) throw new Refusal(403, "the pod is not an attempt's: no Job controls it");
  const job = await read(client, resourcePath(JOBS, namespace, jobRef.name), "the pod's Job is gone", signal);
  const owner = job.metadata?.uid === jobRef.uid ? jobRun(job) : undefined;
  if (!owner) throw new Refusal(403, "the pod is not an attempt's: its Job is not the operator's");
  const run = await read(
    client,
    resourcePath(runResource(owner.kind), namespace, owner.owner.name),
    "the pod's run is gone",
    signal,
  );
  const verdict = currentAttempt(run, owner.owner, job);
  // 409: the uid is recorded by the reconcile after the create; the container asks again shortly.
  if (!verdict.ok) throw new Refusal(verdict.retry ? 409 : 403, verdict.message);
  return { pod, job, run, kind: owner.kind, owner: owner.owner };
}
