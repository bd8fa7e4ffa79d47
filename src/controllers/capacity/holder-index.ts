// Where the capacity count comes from: the shared Job cache and the run caches of every kind. A run
// holds a slot (and its workspace) while one of its Jobs is active, or while its status says it has
// started and not finished (which covers the wait for a retry, and a status that has not caught up with
// a deleted Job); it waits while its JobCreated condition says WaitingForCapacity. A Job's workspace is
// the PVC its pod template mounts, so a Job counts for the workspace it really uses. Everything here is
// read from caches, so another replica that becomes leader, or a restarted one, rebuilds the same view
// (the waiting line included) from the cluster.
// The design it implements: docs/design.md §5.2.
import {
  type ControllerConfig,
  finalPhase,
  LABELS,
  type Run,
  type RunKindName,
  type RunOf,
  runService,
  runWorkspace,
} from '../../api/index.js';
import {
  type EventMapper,
  type EventSource,
  jobState,
  type KubeObject,
  objectKey,
  type Request,
} from '../../runtime/index.js';
import { WORKSPACE_VOLUME } from '../agent/manifests.js';
import { findCondition } from '../conditions.js';
import { type CapacitySources, WAITING_FOR_CAPACITY } from './capacity.js';
import { type Claim, claimKey, sameWaiter, type Waiter } from './claim.js';
import { HolderTally } from './tally.js';

/** The cached runs of one kind. */
export interface RunCache<K extends RunKindName = RunKindName> {
  kind: K;
  runs: EventSource<RunOf<K>>;
}

/**
 * `run` as a claimant: its identity, namespace, service (from the labels its objects get), workspace
 * (the stored one, else its default: a run stored without the webhooks has none in its spec) and age.
 */
export function waiter(kind: RunKindName, run: RunOf<RunKindName>, config: ControllerConfig): Waiter {
  const { namespace = '', name = '', uid = '', creationTimestamp = '' } = run.metadata ?? {};
  const service = runService(kind, run.spec);
  const workspace = runWorkspace(kind, run.spec, config);
  return {
    key: claimKey(kind, namespace, name, uid),
    run: `${kind}/${name}`,
    namespace,
    ...(service ? { service } : {}),
    ...(workspace ? { workspace } : {}),
    createdAt: creationTimestamp,
  };
}

/** Whether the run's last status says it waits for capacity. */
export function isWaiting(run: KubeObject): boolean {
  const status = run.status as Run['status'];
  return (
    !run.metadata?.deletionTimestamp &&
    findCondition(status?.conditions, 'JobCreated')?.reason === WAITING_FOR_CAPACITY
  );
}

/**
 * Whether the run's status says it holds a slot: an attempt has started (a run waiting for a slot or
 * its dependencies has none) and the run has not finished.
 */
export function holdsSlot(run: KubeObject): boolean {
  const status = run.status as Run['status'];
  return status?.attempt !== undefined && !finalPhase(status.phase);
}

type PodVolume = { name?: string; persistentVolumeClaim?: { claimName?: string } };

/** The workspace volume of a Job's pod template. */
export function workspaceVolume(job: KubeObject): PodVolume | undefined {
  const spec = job.spec as { template?: { spec?: { volumes?: PodVolume[] } } } | undefined;
  return spec?.template?.spec?.volumes?.find((v) => v.name === WORKSPACE_VOLUME);
}

/** The workspace PVC a Job's pods mount. */
export function jobWorkspace(job: KubeObject): string | undefined {
  return workspaceVolume(job)?.persistentVolumeClaim?.claimName || undefined;
}

/** The run a Job belongs to (its controller owner, by uid), as a claim on the Job's workspace. */
function jobClaim(job: KubeObject): Claim | undefined {
  const owner = job.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) return undefined;
  const namespace = job.metadata?.namespace ?? '';
  const service = job.metadata?.labels?.[LABELS.service];
  const workspace = jobWorkspace(job);
  return {
    key: claimKey(owner.kind, namespace, owner.name, owner.uid),
    run: `${owner.kind}/${owner.name}`,
    namespace,
    ...(service ? { service } : {}),
    ...(workspace ? { workspace } : {}),
  };
}

/** A cache the index follows: its events, and what it holds already. */
type Followed = EventSource & { store: { get(namespace: string, name: string): KubeObject | undefined } };

/**
 * The capacity view of the caches, kept up to date by their events rather than recounted from every
 * cached object at each claim (which made a burst of N new runs cost O(N²)): the claims of active Jobs
 * and of runs holding a slot by their status, as counts (capacity-tally.ts), and the waiting runs.
 */
export class CapacityIndex implements CapacitySources {
  private readonly tally = new HolderTally();
  /** The claim of each active Job, by the Job's namespace/name. */
  private readonly activeJobs = new Map<string, Claim>();
  /** By claim key, per kind. */
  private readonly waitingRuns = new Map<RunKindName, Map<string, { run: KubeObject; waiter: Waiter }>>();
  private waitingChanges = 0;

  /** `config` gives the default workspace of a run stored without one, as its events arrive. */
  constructor(
    private readonly jobs: Followed,
    kinds: readonly RunCache[],
    config: () => ControllerConfig,
  ) {
    const job = (obj: KubeObject, gone = false) => {
      const id = objectKey(obj);
      const claim = !gone && jobState(obj) === 'Active' ? jobClaim(obj) : undefined;
      const before = this.activeJobs.get(id);
      if (before && before.key !== claim?.key) this.tally.set(`Job/${id}`, before.key, undefined);
      if (claim) {
        this.activeJobs.set(id, claim);
        this.tally.set(`Job/${id}`, claim.key, claim);
      } else this.activeJobs.delete(id);
    };
    jobs.addHandler({
      onAdd: job,
      onUpdate: (_, obj) => job(obj),
      onDelete: (obj) => job(obj, true),
    });
    for (const obj of jobs.list()) job(obj);
    for (const { kind, runs } of kinds) {
      const waiting = new Map<string, { run: KubeObject; waiter: Waiter }>();
      this.waitingRuns.set(kind, waiting);
      const run = (obj: KubeObject, gone = false) => {
        const claimant = waiter(kind, obj as RunOf<RunKindName>, config());
        this.tally.set('status', claimant.key, !gone && holdsSlot(obj) ? claimant : undefined);
        const before = waiting.get(claimant.key)?.waiter;
        if (!gone && isWaiting(obj)) {
          waiting.set(claimant.key, { run: obj, waiter: claimant });
          if (!before || !sameWaiter(before, claimant)) this.waitingChanges++;
        } else if (waiting.delete(claimant.key)) this.waitingChanges++;
      };
      runs.addHandler({ onAdd: run, onUpdate: (_, obj) => run(obj), onDelete: (obj) => run(obj, true) });
      for (const obj of runs.list()) run(obj);
    }
  }

  holders(): HolderTally {
    return this.tally;
  }

  waiting(): Waiter[] {
    return [...this.waitingRuns.values()].flatMap((runs) => [...runs.values()].map((w) => w.waiter));
  }

  version(): number {
    // Both only grow, so their sum changes whenever either does.
    return this.tally.version + this.waitingChanges;
  }

  /** The waiting runs of one kind. */
  waitingOf(kind: RunKindName): Array<{ run: KubeObject; waiter: Waiter }> {
    return [...(this.waitingRuns.get(kind)?.values() ?? [])];
  }

  jobCached(namespace: string, name: string): boolean {
    return this.jobs.store.get(namespace, name) !== undefined;
  }
}

/**
 * A slot may have come free (a Job finished or went away, a run stopped running or was deleted): wake
 * the cache's waiting runs, those of the freed workspace first, then of the freed service, then oldest
 * first. Who gets the slot does not depend on this order (admission is FIFO by age); it only lets the
 * likely winner go first.
 */
export function mapToWaitingRuns(kind: RunKindName, index: CapacityIndex): EventMapper {
  return (obj) => {
    const service = obj.metadata?.labels?.[LABELS.service];
    const workspace = jobWorkspace(obj) ?? (obj.spec as Run['spec'] | undefined)?.workspace?.pvcName;
    const freed = (w: Waiter) =>
      2 * Number(workspace !== undefined && w.workspace === workspace) + Number(w.service === service);
    return index
      .waitingOf(kind)
      .sort(
        (a, b) => freed(b.waiter) - freed(a.waiter) || a.waiter.createdAt.localeCompare(b.waiter.createdAt),
      )
      .map(
        ({ run }): Request => ({ namespace: run.metadata?.namespace ?? '', name: run.metadata?.name ?? '' }),
      );
  };
}
