// Concurrency slots over every run kind: who holds one (from the caches' events), who waits, who may
// start, and the reservations that cover our own creates until the caches show them (docs/design.md §5.2).
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
} from './holder-index.js';
