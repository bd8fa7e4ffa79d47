// Concurrency slots over every run kind: who holds one (from the caches' events), who waits, who may
// start, and the reservations that cover our own creates until the caches show them (docs/design.md §5.2).
// - allocation.ts: who may start now, a pure function: one run per workspace always, then the optional
//   per-service and global limits, oldest first.
// - capacity.ts: the count itself, one per manager, claimed by the reconciler before a run's first Job.
// - claim.ts: a claim and why one is refused: the vocabulary the other files and the reconciler share.
// - holder-index.ts: where the count comes from: the Job and run caches, so any replica rebuilds one view.
// - tally.ts: the holders as running counts, so a claim is O(1) rather than a recount of every holder.
export { waitingMessage } from './allocation.js';
export { CAPACITY_RECHECK_MS, Capacity, WAITING_FOR_CAPACITY } from './capacity.js';
export { type Claim, claimKey, type Limits, type Refusal, type Waiter } from './claim.js';
export {
  CapacityIndex,
  holdsSlot,
  jobWorkspace,
  mapToWaitingRuns,
  type RunCache,
  waiter,
  workspaceVolume,
} from './holder-index.js';
