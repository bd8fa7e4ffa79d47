// The slots of all run kinds, one count per manager: a run may create its first Job only while its
// workspace is free and the optional limits (`concurrency.perService`, `concurrency.global`) allow it
// (the decision: capacity-decision.ts). A run holds its slot and its workspace from its first Job until
// it is finished — through the backoff between a failed attempt and its retry too, so a retry never
// waits behind a newer run and nobody else works in its workspace meanwhile.
//
// The caches lag behind our own creates, so slots are counted as what the caches show ∪ reservations:
// Jobs this process is creating or has created that its Job cache does not show yet. Admitting and
// reserving happen in one synchronous call: two reconciles (workers of any kind) cannot both take the
// last slot or one workspace. Reservations are in-process state, which is sound because only the Lease
// holder reconciles; everything else is rebuilt from the cluster's runs and Jobs (capacity-cache.ts).
// The design it implements: docs/design.md §5.2.
import { admit, type Claim, type Limits, type Refusal, type Waiter } from './capacity-decision.js';

/** The JobCreated (and Succeeded) reason of a run waiting for a slot. */
export const WAITING_FOR_CAPACITY = 'WaitingForCapacity';

/** How soon a waiting run checks again without an event (a raised limit in a reloaded config has none). */
export const CAPACITY_RECHECK_MS = 10_000;
/** A reservation the Job cache has not confirmed after this long is dropped (e.g. the create failed). */
export const RESERVATION_TTL_MS = 60_000;

/** What the caches show: who holds a slot, who waits, and whether a Job is cached yet. */
export interface CapacitySources {
  holders(): Claim[];
  waiting(): Waiter[];
  jobCached(namespace: string, name: string): boolean;
}

interface Reservation {
  claim: Claim;
  job: { namespace: string; name: string };
  at: number;
}

/** The slots of all run kinds: one per manager, shared by every run controller. */
export class Capacity {
  private readonly reservations = new Map<string, Reservation>();

  constructor(
    private readonly sources: CapacitySources,
    private readonly now: () => number = Date.now,
  ) {}

  /** Runs holding a slot: the caches' view plus reservations the Job cache does not show yet. */
  holders(): Claim[] {
    const now = this.now();
    for (const [key, r] of this.reservations)
      if (this.sources.jobCached(r.job.namespace, r.job.name) || now - r.at > RESERVATION_TTL_MS)
        this.reservations.delete(key);
    return [...this.sources.holders(), ...[...this.reservations.values()].map((r) => r.claim)];
  }

  /**
   * Takes a slot for `candidate` about to create Job `job`, unless it holds one already; returns why
   * not when no slot is free for it. Synchronous, so that check and reservation are one step.
   */
  claim(candidate: Waiter, job: { namespace: string; name: string }, limits: Limits): Refusal | undefined {
    const holders = this.holders();
    if (!holders.some((h) => h.key === candidate.key)) {
      const refusal = admit(holders, this.sources.waiting(), candidate, limits);
      if (refusal) return refusal;
    }
    this.reservations.set(candidate.key, { claim: candidate, job, at: this.now() });
    return undefined;
  }

  /** The run did not create its Job after all (its objects conflict, it cannot render). */
  release(key: string): void {
    this.reservations.delete(key);
  }
}
