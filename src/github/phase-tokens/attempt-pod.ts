// Whether a pod may have a phase's GitHub token now, from objects the operator reads: the pod must be
// the current attempt's pod of a run the operator made (its Job's controller is the run, the run's
// status names that Job and records its uid: only the manager writes status, and it records the uid of
// a Job it made, decision 0069), and the phase must be the one running, as the kubelet reports the pod's
// containers: the read token while `prepare-workspace` runs, the write token once the `agent` init
// container has terminated and `publish` runs (docs/security.md "Phases and their credentials").
// Pure: issuer.ts reads the objects.
import { API_VERSION, LABELS, MANAGED_BY, RUN_KIND_NAMES, type RunKindName } from '../../api/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER, PUBLISH_CONTAINER } from '../../naming/index.js';
import type { KubeObject, OwnerReference } from '../../runtime/index.js';

/** The two tokens: the checkout's read-only one and the publisher's write one. */
export type TokenPhase = 'read' | 'write';

/** Refused: `retry` when the kubelet's report may not have caught up yet (asked again shortly). */
export type Verdict = { ok: true } | { ok: false; retry: boolean; message: string };

const refuse = (message: string): Verdict => ({ ok: false, retry: false, message });
const notYet = (message: string): Verdict => ({ ok: false, retry: true, message });

interface ContainerStatus {
  name?: string;
  state?: { running?: object; terminated?: { exitCode?: number }; waiting?: object };
}

const controllerOf = (o: KubeObject | undefined): OwnerReference | undefined =>
  o?.metadata?.ownerReferences?.find((r) => r.controller);

/** The Job that controls the pod, as its owner reference names it (read and compared by uid). */
export function podJob(pod: KubeObject): OwnerReference | undefined {
  const owner = controllerOf(pod);
  return owner?.apiVersion === 'batch/v1' && owner.kind === 'Job' ? owner : undefined;
}

/** The run kind and owner reference of the run that controls the Job, when the operator made it. */
export function jobRun(job: KubeObject): { kind: RunKindName; owner: OwnerReference } | undefined {
  if (job.metadata?.labels?.[LABELS.managedBy] !== MANAGED_BY) return undefined;
  const owner = controllerOf(job);
  const kind = RUN_KIND_NAMES.find((k) => k === owner?.kind);
  return owner && kind && owner.apiVersion === API_VERSION ? { kind, owner } : undefined;
}

/**
 * Whether `run` is the live owner `owner` names and `job` is its current attempt's Job, the one the
 * operator made: of the name and the uid the run's status records (the model gateway asks the same).
 */
export function currentAttempt(run: KubeObject, owner: OwnerReference, job: KubeObject): Verdict {
  if (run.metadata?.uid !== owner.uid || run.metadata?.deletionTimestamp)
    return refuse('the Job belongs to no live run');
  const status = (run.status ?? {}) as { jobName?: string; jobUid?: string };
  if (status.jobName !== job.metadata?.name)
    return refuse(
      `the pod is not the current attempt's: the run's attempt runs Job ${status.jobName ?? '(none)'}`,
    );
  // The reconcile after the create records the uid: until then the pod is asked to wait.
  if (!status.jobUid) return notYet(`the run's status does not record Job ${status.jobName}'s uid yet`);
  return status.jobUid === job.metadata?.uid
    ? { ok: true }
    : refuse(`the pod's Job ${status.jobName} is not the one the operator made (its uid differs)`);
}

/** Whether the pod's containers, as the kubelet reports them, are in the phase that gets `phase`'s token. */
export function phaseVerdict(pod: KubeObject, phase: TokenPhase): Verdict {
  if (pod.metadata?.deletionTimestamp) return refuse('the pod is being deleted');
  const status = (pod.status ?? {}) as {
    phase?: string;
    initContainerStatuses?: ContainerStatus[];
    containerStatuses?: ContainerStatus[];
  };
  if (status.phase === 'Succeeded' || status.phase === 'Failed') return refuse(`the pod has ${status.phase}`);
  const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
  const state = (name: string) => all.find((c) => c.name === name)?.state ?? {};
  const prepare = state(PREPARE_CONTAINER);
  const agent = state(AGENT_CONTAINER);
  const publish = state(PUBLISH_CONTAINER);
  if (phase === 'read') {
    if (prepare.terminated || agent.running || agent.terminated)
      return refuse("the read-only token is the prepare phase's, which has ended");
    return prepare.running
      ? { ok: true }
      : notYet(`the kubelet does not report ${PREPARE_CONTAINER} running yet`);
  }
  if (!agent.terminated)
    return refuse(`the write token is the publisher's: the ${AGENT_CONTAINER} container has not ended`);
  if (publish.terminated) return refuse('the publish phase has ended');
  return publish.running
    ? { ok: true }
    : notYet(`the kubelet does not report ${PUBLISH_CONTAINER} running yet`);
}
