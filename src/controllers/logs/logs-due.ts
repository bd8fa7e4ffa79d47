// Which of a pod's logs are due to be kept, as pure reads of the caches: the pod's Job, the run that
// controls the Job (the uid it names, still in the runs' cache), which attempt of the run the Job is,
// and each of its prepare and agent containers that ended, or is ending with its pod being deleted
// (the Job controller deletes a running pod at its deadline or a cancel; its log is read as it ends).
import { jobNameFor, RUN_KIND_NAMES, type RunKindName, type RunOf, type RunStatus } from '../../api/index.js';
import { AGENT_CONTAINER, PREPARE_CONTAINER } from '../../naming/index.js';
import { keptEntry } from '../../runs/index.js';
import type { KubeObject, ReadOnlyStore } from '../../runtime/index.js';
import type { RunRef } from '../run-status-patch.js';

/** The containers whose logs are kept, in the order they run. */
export const KEPT_CONTAINERS = [PREPARE_CONTAINER, AGENT_CONTAINER] as const;

export interface DueLogs {
  run: RunOf<RunKindName>;
  ref: RunRef;
  attempt: number;
  jobName: string;
  /** Each container to read now; `follow` while it still runs (its pod is being deleted). */
  containers: { name: string; follow: boolean }[];
}

interface ContainerState {
  name: string;
  state?: { running?: object; terminated?: object };
}

const controller = (obj: KubeObject | undefined) => obj?.metadata?.ownerReferences?.find((r) => r.controller);

const isRunKind = (kind: string | undefined): kind is RunKindName =>
  (RUN_KIND_NAMES as readonly string[]).includes(kind ?? '');

/** The attempt of `run` whose Job is `jobName`, from the current one down; undefined when none is. */
export function attemptOf(kind: RunKindName, run: RunOf<RunKindName>, jobName: string): number | undefined {
  const status = run.status as RunStatus | undefined;
  if (status?.jobName === jobName) return status.attempt;
  for (let attempt = status?.attempt ?? 0; attempt >= 1; attempt--)
    if (jobNameFor(kind, run, attempt) === jobName) return attempt;
  return undefined;
}

/** The run a pod is an attempt of: its Job's controller, when the runs' cache has that very run. */
export function podRun(
  pod: KubeObject,
  jobs: ReadOnlyStore,
  runs: (kind: RunKindName) => ReadOnlyStore<RunOf<RunKindName>>,
): Omit<DueLogs, 'containers'> | undefined {
  const namespace = pod.metadata?.namespace ?? '';
  const jobRef = controller(pod);
  if (jobRef?.kind !== 'Job') return undefined;
  const job = jobs.get(namespace, jobRef.name);
  // A pod that names a Job of the name but another uid is not that Job's.
  if (!job || job.metadata?.uid !== jobRef.uid) return undefined;
  const owner = controller(job);
  if (!owner || !isRunKind(owner.kind)) return undefined;
  const run = runs(owner.kind).get(namespace, owner.name);
  if (!run || run.metadata?.uid !== owner.uid) return undefined;
  const attempt = attemptOf(owner.kind, run, jobRef.name);
  if (attempt === undefined) return undefined;
  const ref = { kind: owner.kind, namespace, name: owner.name, uid: owner.uid };
  return { run, ref, attempt, jobName: jobRef.name };
}

/** The pod's logs due now: those not in the run's status yet (nor `done`), of containers ended or ending. */
export function dueLogs(
  pod: KubeObject,
  found: Omit<DueLogs, 'containers'>,
  done: (container: string) => boolean,
): DueLogs {
  const status = pod.status as {
    initContainerStatuses?: ContainerState[];
    containerStatuses?: ContainerState[];
  };
  const states = [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])];
  const deleting = !!pod.metadata?.deletionTimestamp;
  const containers = KEPT_CONTAINERS.flatMap((name) => {
    const state = states.find((c) => c.name === name)?.state;
    if (done(name) || keptEntry(found.run, found.attempt, name)) return [];
    if (state?.terminated) return [{ name, follow: false }];
    return deleting && state?.running ? [{ name, follow: true }] : [];
  });
  return { ...found, containers };
}
