// A run's claim on a concurrency slot, and why a claim is refused: the vocabulary the capacity count
// (capacity.ts), its holder tally (tally.ts), the allocation to waiting runs (allocation.ts) and the
// reconciler share. The design it implements: docs/design.md §5.2.

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

/** Two claims that count the same. */
export const sameClaim = (a: Claim, b: Claim): boolean =>
  a.key === b.key &&
  a.run === b.run &&
  a.namespace === b.namespace &&
  a.service === b.service &&
  a.workspace === b.workspace;

/** Two claims of one run that a decision cannot tell apart. */
export const sameWaiter = (a: Waiter, b: Waiter): boolean => sameClaim(a, b) && a.createdAt === b.createdAt;

export const serviceScope = (c: Claim): string | undefined =>
  c.service === undefined ? undefined : `${c.namespace}/${c.service}`;

export const workspaceScope = (c: Claim): string | undefined =>
  c.workspace === undefined ? undefined : `${c.namespace}/${c.workspace}`;
