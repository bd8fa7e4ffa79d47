// Concurrency limits (config `concurrency.perService`, `concurrency.global`): a run may create its first
// Job only while a slot is free. A run holds a slot from its first Job until it is finished — through
// the backoff between a failed attempt and its retry too, so a retry never waits behind a newer run and
// never takes the limit past N. Free slots go to the waiting runs oldest first (FIFO by
// creationTimestamp), each against its own service's and the global count, so a run blocked by its
// service's limit does not hold back other services.
//
// The caches lag behind our own creates, so slots are counted as what the caches show ∪ reservations:
// Jobs this process is creating or has created that its Job cache does not show yet. Admitting and
// reserving happen in one synchronous call: two reconciles (workers of any kind) cannot both take the
// last slot. Reservations are in-process state, which is sound because only the Lease holder reconciles.
// The design it implements: docs/design.md §5.2.

/** A run's claim on capacity. `key` names the run (see {@link claimKey}); no service: global only. */
export interface Claim {
  key: string;
  namespace: string;
  service?: string;
}

/** A run that wants a slot; the oldest (`createdAt`, then `key`) is served first. */
export interface Waiter extends Claim {
  /** RFC 3339, as in metadata.creationTimestamp. */
  createdAt: string;
}

export interface Limits {
  perService: number;
  global: number;
}

/** Why a run may not start now: the limit that is reached, and how it is used. */
export interface Refusal {
  scope: 'service' | 'global';
  service?: string;
  limit: number;
  /** Runs holding a slot in that scope. */
  running: number;
  /** Older waiting runs that get that scope's free slots first. */
  ahead: number;
}

/** The JobCreated (and Succeeded) reason of a run waiting for a slot. */
export const WAITING_FOR_CAPACITY = 'WaitingForCapacity';

/** How soon a waiting run checks again without an event (a raised limit in a reloaded config has none). */
export const CAPACITY_RECHECK_MS = 10_000;
/** A reservation the Job cache has not confirmed after this long is dropped (e.g. the create failed). */
export const RESERVATION_TTL_MS = 60_000;

export const claimKey = (kind: string, namespace: string, name: string): string =>
  `${kind}/${namespace}/${name}`;

const serviceScope = (c: Claim): string | undefined =>
  c.service === undefined ? undefined : `${c.namespace}/${c.service}`;

const byAge = (a: Waiter, b: Waiter): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.key.localeCompare(b.key);

/**
 * Whether `candidate` (which holds no slot) may take one: the free slots are handed out to the waiting
 * runs and the candidate in age order; undefined when the candidate gets one, else why not.
 */
export function admit(
  holders: readonly Claim[],
  waiting: readonly Waiter[],
  candidate: Waiter,
  limits: Limits,
): Refusal | undefined {
  const holding = new Set(holders.map((h) => h.key));
  const running = new Map<string, number>();
  for (const h of new Map(holders.map((h) => [h.key, h])).values()) {
    const scope = serviceScope(h);
    if (scope) running.set(scope, (running.get(scope) ?? 0) + 1);
  }
  const promised = new Map<string, number>();
  const runningGlobal = holding.size;
  let promisedGlobal = 0;
  const queue = [...new Map([...waiting, candidate].map((w) => [w.key, w])).values()]
    .filter((w) => !holding.has(w.key))
    .sort(byAge);
  for (const w of queue) {
    const scope = serviceScope(w);
    const inService = scope ? (running.get(scope) ?? 0) + (promised.get(scope) ?? 0) : 0;
    const serviceFull = scope !== undefined && inService >= limits.perService;
    const globalFull = runningGlobal + promisedGlobal >= limits.global;
    if (w.key === candidate.key) {
      if (serviceFull && scope)
        return {
          scope: 'service',
          service: w.service,
          limit: limits.perService,
          running: running.get(scope) ?? 0,
          ahead: promised.get(scope) ?? 0,
        };
      if (globalFull)
        return { scope: 'global', limit: limits.global, running: runningGlobal, ahead: promisedGlobal };
      return undefined;
    }
    if (serviceFull || globalFull) continue;
    if (scope) promised.set(scope, (promised.get(scope) ?? 0) + 1);
    promisedGlobal++;
  }
  return undefined;
}

/** The run's status message while it waits. */
export function waitingMessage(r: Refusal): string {
  const runs = r.scope === 'service' ? `runs of service "${r.service}"` : 'runs in total';
  const ahead = r.ahead ? ` and ${r.ahead} older waiting ${r.ahead > 1 ? 'runs go' : 'run goes'} first` : '';
  const setting = r.scope === 'service' ? 'concurrency.perService' : 'concurrency.global';
  return `${r.running} of ${r.limit} ${runs} are running (${setting})${ahead}; waiting for one to finish`;
}

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
