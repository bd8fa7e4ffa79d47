// Where the capacity count comes from: the shared Job cache and the run caches of every kind. A run
// holds a slot while one of its Jobs is active, or while its status says it has started and not
// finished (which covers the wait for a retry, and a status that has not caught up with a deleted
// Job); it waits while its JobCreated
// condition says WaitingForCapacity. Everything here is read from caches, so a new leader rebuilds the
// same view (the waiting line included) from the cluster.
// The design it implements: docs/design.md §5.2.
import {
  type ControllerConfig,
  LABELS,
  type Run,
  type RunKindName,
  type RunOf,
  runLabels,
} from '../api/index.js';
import type { EventMapper, EventSource, KubeObject, Request } from '../runtime/index.js';
import { type CapacitySources, type Claim, claimKey, WAITING_FOR_CAPACITY, type Waiter } from './capacity.js';
import { findCondition } from './conditions.js';
import { jobState } from './run-status.js';

/** The cached runs of one kind. */
export interface RunCache<K extends RunKindName = RunKindName> {
  kind: K;
  runs: EventSource<RunOf<K>>;
}

/** `run` as a claimant: its key, namespace, service (from the labels its objects get) and age. */
export function waiter(kind: RunKindName, run: RunOf<RunKindName>, config: ControllerConfig): Waiter {
  const { namespace = '', name = '', creationTimestamp = '' } = run.metadata ?? {};
  const service = runLabels(kind, run.spec, config)[LABELS.service];
  return {
    key: claimKey(kind, namespace, name),
    namespace,
    ...(service ? { service } : {}),
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
  return status?.attempt !== undefined && status.phase !== 'Succeeded' && status.phase !== 'Failed';
}

/** The run a Job belongs to (its controller owner), as a claim. */
function jobClaim(job: KubeObject): Claim | undefined {
  const owner = job.metadata?.ownerReferences?.find((r) => r.controller === true);
  if (!owner) return undefined;
  const namespace = job.metadata?.namespace ?? '';
  const service = job.metadata?.labels?.[LABELS.service];
  return { key: claimKey(owner.kind, namespace, owner.name), namespace, ...(service ? { service } : {}) };
}

export function cacheSources(
  jobs: EventSource & { store: { get(namespace: string, name: string): KubeObject | undefined } },
  kinds: readonly RunCache[],
  config: () => ControllerConfig,
): CapacitySources {
  const runs = (select: (run: KubeObject) => boolean): Waiter[] => {
    const current = config();
    return kinds.flatMap(({ kind, runs }) =>
      runs
        .list()
        .filter(select)
        .map((run) => waiter(kind, run, current)),
    );
  };
  return {
    holders: () => [
      ...jobs.list().flatMap((job) => (jobState(job) === 'Active' ? (jobClaim(job) ?? []) : [])),
      ...runs(holdsSlot),
    ],
    waiting: () => runs(isWaiting),
    jobCached: (namespace, name) => jobs.store.get(namespace, name) !== undefined,
  };
}

/**
 * A slot may have come free (a Job finished or went away, a run stopped running or was deleted): wake
 * the cache's waiting runs, those of the freed service first, then oldest first. Who gets the slot does
 * not depend on this order (admission is FIFO by age); it only lets the likely winner go first.
 */
export function mapToWaitingRuns(cache: RunCache, config: () => ControllerConfig): EventMapper {
  return (obj) => {
    const freed = obj.metadata?.labels?.[LABELS.service];
    const current = config();
    return cache.runs
      .list()
      .filter(isWaiting)
      .map((run) => ({ run, w: waiter(cache.kind, run, current) }))
      .sort(
        (a, b) =>
          Number(b.w.service === freed) - Number(a.w.service === freed) ||
          a.w.createdAt.localeCompare(b.w.createdAt),
      )
      .map(
        ({ run }): Request => ({ namespace: run.metadata?.namespace ?? '', name: run.metadata?.name ?? '' }),
      );
  };
}
