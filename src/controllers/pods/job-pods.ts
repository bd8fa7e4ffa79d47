// The pods of each Job, by the Job's uid: an index over the pod cache, kept by the pod informer's
// events, so a reconcile finds its attempt's pod without scanning every cached pod. And the mapping
// from a pod's change to the run it belongs to (pod → its Job → the Job's controller owner).
// The design it implements: docs/design.md §4.2.
import type { EventMapper, KubeObject, ReadOnlyStore, ResourceEventHandler } from '../../runtime/index.js';

/** What a reconcile asks of the pods. */
export interface JobPods {
  /** The newest pod of the Job with `jobUid` (a Job with backoffLimit 0 has one, unless it was replaced). */
  newest(jobUid: string | undefined): KubeObject | undefined;
}

const controllerUid = (obj: KubeObject) =>
  obj.metadata?.ownerReferences?.find((r) => r.controller === true)?.uid;

export class PodsByJob implements JobPods, ResourceEventHandler {
  private readonly byJob = new Map<string, Map<string, KubeObject>>();

  onAdd(pod: KubeObject): void {
    const uid = controllerUid(pod);
    if (!uid) return;
    let pods = this.byJob.get(uid);
    if (!pods) {
      pods = new Map();
      this.byJob.set(uid, pods);
    }
    pods.set(pod.metadata?.name ?? '', pod);
  }

  onUpdate(old: KubeObject, pod: KubeObject): void {
    // A pod released by its Job (orphaned: its controller reference removed) leaves the Job's entry.
    if (controllerUid(old) !== controllerUid(pod)) this.onDelete(old);
    this.onAdd(pod);
  }

  onDelete(pod: KubeObject): void {
    const uid = controllerUid(pod);
    const pods = uid ? this.byJob.get(uid) : undefined;
    if (!uid || !pods) return;
    pods.delete(pod.metadata?.name ?? '');
    if (pods.size === 0) this.byJob.delete(uid);
  }

  newest(jobUid: string | undefined): KubeObject | undefined {
    let newest: KubeObject | undefined;
    for (const pod of this.byJob.get(jobUid ?? '')?.values() ?? []) {
      const created = pod.metadata?.creationTimestamp ?? '';
      if (!newest || created > (newest.metadata?.creationTimestamp ?? '')) newest = pod;
    }
    return newest;
  }
}

/** A pod's change, as the request of the run whose Job made the pod (through `toRun`, the Job's mapper). */
export function mapPodToRun(jobs: ReadOnlyStore, toRun: EventMapper): EventMapper {
  return (pod) => {
    const owner = pod.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'Job');
    const job = owner ? jobs.get(pod.metadata?.namespace ?? '', owner.name) : undefined;
    return job && job.metadata?.uid === owner?.uid ? toRun(job) : [];
  };
}
