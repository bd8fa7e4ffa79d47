// Who holds a slot, as counts kept up to date claim by claim: how many runs, how many per service,
// who uses each workspace. A claim decision reads these in O(1) instead of recounting every holder,
// which made each claim O(running runs) and a burst of thousands O(N²) (docs/design.md §5.2).
// A run may hold through several sources at once (active Jobs, its status): it counts once, under every service and workspace any of its claims names, so two claims that disagree (a
// Job mounting another PVC than its run's spec names) keep both workspaces taken.
import { type Claim, sameClaim, serviceScope, workspaceScope } from './claim.js';

/** Read-only view of the holders that a decision needs. */
export interface HolderView {
  /** Runs holding a slot. */
  readonly count: number;
  holds(key: string): boolean;
  /** Holders counting against a service scope (`namespace/service`). */
  running(serviceScope: string): number;
  /** Whether run `key` is one of them. */
  runsIn(key: string, serviceScope: string): boolean;
  /** A holder (`Kind/name`) using a workspace scope (`namespace/pvc`), if any. */
  user(workspaceScope: string): string | undefined;
}

interface Holder {
  claims: Map<string, Claim>;
  services: Set<string>;
  workspaces: Map<string, string>;
}

export class HolderTally implements HolderView {
  private readonly holders = new Map<string, Holder>();
  private readonly services = new Map<string, number>();
  /** Per workspace scope: the holders using it, by key, with their `Kind/name`. */
  private readonly workspaces = new Map<string, Map<string, string>>();
  private changes = 0;

  /** The holders of `claims` (a test's list, the fallback of a source without a tally). */
  static of(claims: readonly Claim[]): HolderTally {
    const tally = new HolderTally();
    claims.forEach((c, i) => {
      tally.set(String(i), c.key, c);
    });
    return tally;
  }

  get count(): number {
    return this.holders.size;
  }

  /** Bumped on every change that a decision could see. */
  get version(): number {
    return this.changes;
  }

  holds(key: string): boolean {
    return this.holders.has(key);
  }

  running(scope: string): number {
    return this.services.get(scope) ?? 0;
  }

  runsIn(key: string, scope: string): boolean {
    return this.holders.get(key)?.services.has(scope) ?? false;
  }

  user(scope: string): string | undefined {
    const users = this.workspaces.get(scope);
    return users ? users.values().next().value : undefined;
  }

  /** Every claim, one per run and source. */
  claims(): Claim[] {
    return [...this.holders.values()].flatMap((h) => [...h.claims.values()]);
  }

  /**
   * Sets what `source` (an active Job, the run's status, a reservation) claims for run `key`;
   * undefined withdraws it. A claim equal to the one held changes nothing.
   */
  set(source: string, key: string, claim: Claim | undefined): void {
    const holder = this.holders.get(key);
    const before = holder?.claims.get(source);
    if (claim === undefined ? before === undefined : before !== undefined && sameClaim(before, claim)) return;
    const next = holder ?? { claims: new Map(), services: new Set(), workspaces: new Map() };
    if (claim) next.claims.set(source, claim);
    else next.claims.delete(source);
    this.changes++;
    this.forget(key, next);
    if (next.claims.size === 0) {
      this.holders.delete(key);
      return;
    }
    this.holders.set(key, next);
    for (const c of next.claims.values()) {
      const service = serviceScope(c);
      if (service !== undefined) next.services.add(service);
      const workspace = workspaceScope(c);
      if (workspace !== undefined && !next.workspaces.has(workspace)) next.workspaces.set(workspace, c.run);
    }
    for (const service of next.services) this.services.set(service, this.running(service) + 1);
    for (const [workspace, run] of next.workspaces) {
      const users = this.workspaces.get(workspace) ?? new Map<string, string>();
      users.set(key, run);
      this.workspaces.set(workspace, users);
    }
  }

  /** Takes the holder's scopes out of the counts. */
  private forget(key: string, holder: Holder): void {
    for (const service of holder.services) {
      const left = this.running(service) - 1;
      if (left > 0) this.services.set(service, left);
      else this.services.delete(service);
    }
    for (const workspace of holder.workspaces.keys()) {
      const users = this.workspaces.get(workspace);
      users?.delete(key);
      if (users?.size === 0) this.workspaces.delete(workspace);
    }
    holder.services.clear();
    holder.workspaces.clear();
  }
}
