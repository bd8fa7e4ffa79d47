// Why a Job has no pod: the Job controller records `FailedCreate` Events on the Job when the apiserver
// refuses its pod (a missing ServiceAccount, a ResourceQuota, Pod Security), and nothing else says so.
// An index over an informer of exactly those Events (field selector), by the Job's uid, keeps the
// newest one; the follower turns it into the agent's waiting reason, and an Event maps to the Job's run.
// The design it implements: docs/design.md §4.2.
import type { CoreEvent, EventMapper, ReadOnlyStore, ResourceEventHandler } from '../../runtime/index.js';

/** The field selector of the Events the index follows. */
export const FAILED_CREATE_EVENTS = 'involvedObject.kind=Job,reason=FailedCreate';

/** The newest refusal of a Job's pod. */
export interface PodCreationFailure {
  message: string;
  /** When it was first seen (the Event's firstTimestamp, else its creation). */
  since: Date;
}

/** What a reconcile asks about a Job without a pod. */
export interface PodCreationFailures {
  of(jobUid: string | undefined): PodCreationFailure | undefined;
}

const seenAt = (e: CoreEvent) => e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp ?? '';

export class PodCreationIndex implements PodCreationFailures, ResourceEventHandler<CoreEvent> {
  private readonly byJob = new Map<string, { event: CoreEvent; name: string }>();

  of(jobUid: string | undefined): PodCreationFailure | undefined {
    const e = jobUid ? this.byJob.get(jobUid)?.event : undefined;
    if (!e) return undefined;
    const since = e.firstTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    return {
      message: e.message ?? 'the Job controller could not create its pod',
      since: new Date(since ?? 0),
    };
  }

  onAdd(obj: CoreEvent): void {
    const uid = obj.involvedObject?.uid;
    if (!uid) return;
    const held = this.byJob.get(uid);
    if (held && seenAt(held.event) > seenAt(obj)) return;
    this.byJob.set(uid, { event: obj, name: obj.metadata?.name ?? '' });
  }

  onUpdate(_old: CoreEvent, obj: CoreEvent): void {
    this.onAdd(obj);
  }

  onDelete(obj: CoreEvent): void {
    const uid = obj.involvedObject?.uid;
    // Events expire (the apiserver's TTL, an hour by default): the Job has no refusal on record then.
    if (uid && this.byJob.get(uid)?.name === obj.metadata?.name) this.byJob.delete(uid);
  }
}

/** A FailedCreate Event → its Job (cached, same uid) → the Job's run. */
export function mapPodCreationToRun(jobs: ReadOnlyStore, toRun: EventMapper): EventMapper<CoreEvent> {
  return (obj) => {
    const involved = obj.involvedObject;
    const job = jobs.get(involved?.namespace ?? obj.metadata?.namespace ?? '', involved?.name ?? '');
    return job && job.metadata?.uid === involved?.uid ? toRun(job) : [];
  };
}
