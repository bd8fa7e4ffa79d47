// The slots of all run kinds, one count per manager: a run may create its first Job only while its
// workspace is free and the optional limits (`concurrency.perService`, `concurrency.global`) allow it
// (who may start: allocation.ts). A run holds its slot and its workspace from its first Job until
// it is finished — through the backoff between a failed attempt and its retry too, so a retry never
// waits behind a newer run and nobody else works in its workspace meanwhile.
//
// The caches lag behind our own creates, so slots are counted as what the caches show ∪ reservations:
// Jobs this process is creating or has created that its Job cache does not show yet. Admitting and
// reserving happen in one synchronous call: two reconciles (workers of any kind) cannot both take the
// last slot or one workspace. Reservations are in-process state, which is sound because only the Lease
// holder reconciles; everything else is rebuilt from the cluster's runs and Jobs (holder-index.ts).
// The design it implements: docs/design.md §5.2.
import { type Clock, realClock } from '../../runtime/index.js';
import { Allocation, UNDECIDED } from './allocation.js';
import { type Claim, type Limits, type Refusal, serviceScope, type Waiter, workspaceScope } from './claim.js';
import type { HolderView } from './tally.js';

/** The JobCreated (and Succeeded) reason of a run waiting for a slot. */
export const WAITING_FOR_CAPACITY = 'WaitingForCapacity';

/** How soon a waiting run checks again without an event (a raised limit in a reloaded config has none). */
export const CAPACITY_RECHECK_MS = 10_000;
/** A reservation the Job cache has not confirmed after this long is dropped (e.g. the create failed). */
export const RESERVATION_TTL_MS = 60_000;

/** What the caches show: who holds a slot, who waits, and whether a Job is cached yet. */
export interface CapacitySources {
  /** The holders, kept by the source as its caches change. */
  holders(): HolderView & { claims(): Claim[] };
  waiting(): Waiter[];
  jobCached(namespace: string, name: string): boolean;
  /** Differs whenever holders() or waiting() would answer differently. */
  version(): number;
}

interface Reservation {
  claim: Claim;
  job: { namespace: string; name: string };
  at: number;
}

/**
 * The sources' holders plus the reservations, O(reservations) per question. A reserved run the
 * sources show already (a retry, held by its status) still counts under its reservation's service
 * and workspace, which may be new to them (a reloaded config's default workspace).
 */
class ReservedView implements HolderView {
  constructor(
    private readonly shown: HolderView,
    private readonly reservations: ReadonlyMap<string, Reservation>,
  ) {}

  get count(): number {
    let count = this.shown.count;
    for (const key of this.reservations.keys()) if (!this.shown.holds(key)) count++;
    return count;
  }

  holds(key: string): boolean {
    return this.shown.holds(key) || this.reservations.has(key);
  }

  running(scope: string): number {
    let running = this.shown.running(scope);
    for (const { claim } of this.reservations.values())
      if (serviceScope(claim) === scope && !this.shown.runsIn(claim.key, scope)) running++;
    return running;
  }

  runsIn(key: string, scope: string): boolean {
    const reserved = this.reservations.get(key)?.claim;
    return this.shown.runsIn(key, scope) || (reserved !== undefined && serviceScope(reserved) === scope);
  }

  user(scope: string): string | undefined {
    const shown = this.shown.user(scope);
    if (shown) return shown;
    for (const { claim } of this.reservations.values()) if (workspaceScope(claim) === scope) return claim.run;
    return undefined;
  }
}

/** The slots of all run kinds: one per manager, shared by every run controller. */
export class Capacity {
  private readonly reservations = new Map<string, Reservation>();
  private reservationChanges = 0;
  /** The last pass over the waiting runs, valid while holders, waiters and limits are unchanged. */
  private memo: { state: string; allocation: Allocation } | undefined;

  constructor(
    private readonly sources: CapacitySources,
    private readonly clock: Clock = realClock,
  ) {}

  /** Runs holding a slot: the caches' view plus reservations the Job cache does not show yet. */
  holders(): Claim[] {
    this.prune();
    return [...this.sources.holders().claims(), ...[...this.reservations.values()].map((r) => r.claim)];
  }

  /**
   * Why `candidate` may not take a slot now, or undefined when it may (or holds one already). Reads
   * only: the reconciler reserves the slot with {@link reserve} before its first await, so the check
   * and the reservation are one step for every other reconcile.
   */
  refusal(candidate: Waiter, limits: Limits): Refusal | undefined {
    this.prune();
    const view = new ReservedView(this.sources.holders(), this.reservations);
    return view.holds(candidate.key) ? undefined : this.decide(view, candidate, limits);
  }

  /** Reserves a slot for `candidate` about to create Job `job` (after {@link refusal} said yes). */
  reserve(candidate: Waiter, job: { namespace: string; name: string }): void {
    this.reservations.set(candidate.key, { claim: candidate, job, at: this.clock.nowMs() });
    this.reservationChanges++;
  }

  /** {@link refusal} and, when there is none, {@link reserve}: in one synchronous call. */
  claim(candidate: Waiter, job: { namespace: string; name: string }, limits: Limits): Refusal | undefined {
    const refusal = this.refusal(candidate, limits);
    if (!refusal) this.reserve(candidate, job);
    return refusal;
  }

  /** The run did not create its Job after all (its objects conflict, it cannot render). */
  release(key: string): void {
    if (this.reservations.delete(key)) this.reservationChanges++;
  }

  /** Drops reservations the Job cache confirms, and those it never confirmed in time. */
  private prune(): void {
    const now = this.clock.nowMs();
    for (const [key, r] of this.reservations)
      if (this.sources.jobCached(r.job.namespace, r.job.name) || now - r.at > RESERVATION_TTL_MS) {
        this.reservations.delete(key);
        this.reservationChanges++;
      }
  }

  /**
   * The pass over the waiting runs is made once per state and reused by the claims that follow (a
   * freed slot wakes every waiting run, each claiming in turn); a run older than some waiter and not
   * waiting itself gets a pass of its own.
   */
  private decide(view: HolderView, candidate: Waiter, limits: Limits): Refusal | undefined {
    const state = `${this.sources.version()}/${this.reservationChanges}/${limits.perService}/${limits.global}`;
    if (this.memo?.state !== state)
      this.memo = { state, allocation: new Allocation(view, this.sources.waiting(), limits) };
    const decision = this.memo.allocation.decide(candidate);
    if (decision !== UNDECIDED) return decision;
    const own = new Allocation(view, [...this.sources.waiting(), candidate], limits).decide(candidate);
    return own === UNDECIDED ? undefined : own;
  }
}
