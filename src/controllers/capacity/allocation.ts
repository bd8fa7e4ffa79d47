// Who may start now, as a pure function of who holds a slot and who waits. The one rule that is never
// relaxed: at most one run at a time per workspace volume (its PVC), since two agents working in one
// workspace would corrupt each other's checkout. On top of it, optional limits: `concurrency.perService`
// (runs of one service per namespace) and `concurrency.global` (runs in total). Free slots and free
// workspaces go to the waiting runs oldest first (FIFO by creationTimestamp), each against its own
// workspace, service and the global count, so a run blocked by one of them does not hold back the
// others. The design it implements: docs/design.md §5.2.

import {
  type Claim,
  type Limits,
  type Refusal,
  sameWaiter,
  serviceScope,
  type Waiter,
  workspaceScope,
} from './claim.js';
import { HolderTally, type HolderView } from './tally.js';

const byAge = (a: Waiter, b: Waiter): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.key.localeCompare(b.key);

/** {@link Allocation.decide}: the pass cannot tell (the candidate is older than some waiter). */
export const UNDECIDED = Symbol('undecided');

/**
 * The FIFO pass over the waiting runs (those holding a slot apart): in age order, each gets a slot
 * unless its workspace is held or promised to an older one, or a limit is reached counting holders
 * and the older runs promised a slot. Built once per state of holders and waiters, it answers for
 * any of its waiters and for any run newer than all of them without walking the queue again.
 */
export class Allocation {
  private readonly outcomes = new Map<string, { waiter: Waiter; refusal: Refusal | undefined }>();
  private readonly promisedServices = new Map<string, number>();
  /** Workspaces promised to a waiting run, with its `Kind/name`. */
  private readonly promisedWorkspaces = new Map<string, string>();
  private promisedGlobal = 0;
  private readonly newest: Waiter | undefined;

  constructor(
    private readonly holders: HolderView,
    waiting: readonly Waiter[],
    private readonly limits: Limits,
  ) {
    const queue = [...new Map(waiting.map((w) => [w.key, w])).values()]
      .filter((w) => !holders.holds(w.key))
      .sort(byAge);
    for (const w of queue) {
      const refusal = this.blocked(w);
      this.outcomes.set(w.key, { waiter: w, refusal });
      if (refusal) continue;
      const service = serviceScope(w);
      if (service !== undefined) this.promisedServices.set(service, this.promised(service) + 1);
      const workspace = workspaceScope(w);
      if (workspace !== undefined) this.promisedWorkspaces.set(workspace, w.run);
      this.promisedGlobal++;
    }
    this.newest = queue.at(-1);
  }

  /**
   * Whether `candidate` (which holds no slot) may take one: undefined when it gets one, else why not;
   * UNDECIDED when it is not one of the pass's waiters and older than one of them.
   */
  decide(candidate: Waiter): Refusal | undefined | typeof UNDECIDED {
    // A holder keeps its slot.
    if (this.holders.holds(candidate.key)) return undefined;
    const outcome = this.outcomes.get(candidate.key);
    if (outcome && sameWaiter(outcome.waiter, candidate)) return outcome.refusal;
    if (outcome === undefined && (this.newest === undefined || byAge(this.newest, candidate) < 0))
      return this.blocked(candidate);
    return UNDECIDED;
  }

  private promised(service: string): number {
    return this.promisedServices.get(service) ?? 0;
  }

  /** Why `w` may not start after the older runs of the pass, if it may not. */
  private blocked(w: Waiter): Refusal | undefined {
    const workspace = workspaceScope(w);
    if (workspace !== undefined && w.workspace !== undefined) {
      const holder = this.holders.user(workspace);
      if (holder) return { scope: 'workspace', workspace: w.workspace, holder, next: false };
      const promisedTo = this.promisedWorkspaces.get(workspace);
      if (promisedTo) return { scope: 'workspace', workspace: w.workspace, holder: promisedTo, next: true };
    }
    const service = serviceScope(w);
    const { perService, global } = this.limits;
    if (service && perService !== undefined) {
      const running = this.holders.running(service);
      const ahead = this.promised(service);
      if (running + ahead >= perService)
        return { scope: 'service', service: w.service, limit: perService, running, ahead };
    }
    if (global !== undefined && this.holders.count + this.promisedGlobal >= global)
      return { scope: 'global', limit: global, running: this.holders.count, ahead: this.promisedGlobal };
    return undefined;
  }
}

/**
 * Whether `candidate` (which holds no slot) may take one: the free slots are handed out to the waiting
 * runs and the candidate in age order; undefined when the candidate gets one, else why not.
 * @internal Exported for its unit test; no other module needs it.
 */
export function slotRefusal(
  holders: readonly Claim[],
  waiting: readonly Waiter[],
  candidate: Waiter,
  limits: Limits,
): Refusal | undefined {
  const decision = new Allocation(HolderTally.of(holders), [...waiting, candidate], limits).decide(candidate);
  // The candidate is one of the pass's waiters, so the pass decides.
  return decision === UNDECIDED ? undefined : decision;
}

/** The run's status message while it waits. */
export function waitingMessage(r: Refusal): string {
  if (r.scope === 'workspace') {
    const who = r.next ? `goes next to ${r.holder}, which has waited longer` : `is in use by ${r.holder}`;
    return `workspace "${r.workspace}" ${who} (one run per workspace at a time); waiting for it to finish`;
  }
  const runs = r.scope === 'service' ? `runs of service "${r.service}"` : 'runs in total';
  const ahead = r.ahead ? ` and ${r.ahead} older waiting ${r.ahead > 1 ? 'runs go' : 'run goes'} first` : '';
  const setting = r.scope === 'service' ? 'concurrency.perService' : 'concurrency.global';
  return `${r.running} of ${r.limit} ${runs} are running (${setting})${ahead}; waiting for one to finish`;
}
