// Who may start now, as a pure function of who holds a slot and who waits. The one rule that is never
// relaxed: at most one run at a time per workspace volume (its PVC), since two agents working in one
// workspace would corrupt each other's checkout. On top of it, optional limits: `concurrency.perService`
// (runs of one service per namespace) and `concurrency.global` (runs in total). Free slots and free
// workspaces go to the waiting runs oldest first (FIFO by creationTimestamp), each against its own
// workspace, service and the global count, so a run blocked by one of them does not hold back the
// others. The design it implements: docs/design.md §5.2.

/**
 * A run's claim on capacity. No service: it counts only globally; no workspace: it shares none.
 */
export interface Claim {
  /** Which run: kind, namespace, name and uid (a run re-created under its name is another run). */
  key: string;
  /** The run as a message names it: `Kind/name`. */
  run: string;
  namespace: string;
  service?: string;
  /** The workspace PVC its Jobs mount. */
  workspace?: string;
}

/** A run that wants a slot; the oldest (`createdAt`, then `key`) is served first. */
export interface Waiter extends Claim {
  /** RFC 3339, as in metadata.creationTimestamp. */
  createdAt: string;
}

/** The optional limits on top of the workspace rule; an absent one does not limit. */
export interface Limits {
  perService?: number;
  global?: number;
}

/** The run's workspace is taken: by a running run, or promised to an older waiting one. */
export interface WorkspaceRefusal {
  scope: 'workspace';
  workspace: string;
  /** The run that has it (`Kind/name`). */
  holder: string;
  /** The holder is not running yet: it waited longer and goes next. */
  next: boolean;
}

/** A limit is reached: which, and how it is used. */
export interface LimitRefusal {
  scope: 'service' | 'global';
  service?: string;
  limit: number;
  /** Runs holding a slot in that scope. */
  running: number;
  /** Older waiting runs that get that scope's free slots first. */
  ahead: number;
}

/** Why a run may not start now. */
export type Refusal = WorkspaceRefusal | LimitRefusal;

/** The identity of a run as a claimant. */
export const claimKey = (kind: string, namespace: string, name: string, uid: string): string =>
  `${kind}/${namespace}/${name}/${uid}`;

const serviceScope = (c: Claim): string | undefined =>
  c.service === undefined ? undefined : `${c.namespace}/${c.service}`;

const workspaceScope = (c: Claim): string | undefined =>
  c.workspace === undefined ? undefined : `${c.namespace}/${c.workspace}`;

const byAge = (a: Waiter, b: Waiter): number =>
  a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.key.localeCompare(b.key);

/** Counts of one scope kind (services, workspaces, …) that are taken. */
class Tally {
  private readonly counts = new Map<string, number>();
  add(scope: string | undefined): void {
    if (scope !== undefined) this.counts.set(scope, this.of(scope) + 1);
  }
  of(scope: string): number {
    return this.counts.get(scope) ?? 0;
  }
}

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
  const unique = new Map(holders.map((h) => [h.key, h]));
  const running = new Tally();
  const promised = new Tally();
  // The first claim seen on each workspace: a holder, else the oldest waiter promised it.
  const users = new Map<string, { run: string; next: boolean }>();
  for (const h of unique.values()) {
    running.add(serviceScope(h));
    const ws = workspaceScope(h);
    if (ws && !users.has(ws)) users.set(ws, { run: h.run, next: false });
  }
  let promisedGlobal = 0;
  const blocked = (w: Waiter): Refusal | undefined => {
    const ws = workspaceScope(w);
    const user = ws === undefined ? undefined : users.get(ws);
    if (user && w.workspace !== undefined)
      return { scope: 'workspace', workspace: w.workspace, holder: user.run, next: user.next };
    const scope = serviceScope(w);
    if (
      scope &&
      limits.perService !== undefined &&
      running.of(scope) + promised.of(scope) >= limits.perService
    )
      return {
        scope: 'service',
        service: w.service,
        limit: limits.perService,
        running: running.of(scope),
        ahead: promised.of(scope),
      };
    if (limits.global !== undefined && unique.size + promisedGlobal >= limits.global)
      return { scope: 'global', limit: limits.global, running: unique.size, ahead: promisedGlobal };
    return undefined;
  };
  const queue = [...new Map([...waiting, candidate].map((w) => [w.key, w])).values()]
    .filter((w) => !unique.has(w.key))
    .sort(byAge);
  for (const w of queue) {
    const refusal = blocked(w);
    if (w.key === candidate.key) return refusal;
    if (refusal) continue;
    promised.add(serviceScope(w));
    const ws = workspaceScope(w);
    if (ws) users.set(ws, { run: w.run, next: true });
    promisedGlobal++;
  }
  return undefined;
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
