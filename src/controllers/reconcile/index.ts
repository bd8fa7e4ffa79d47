// The generic run reconciler: a run becomes a workspace PVC, and an immutable ConfigMap and a Job per
// attempt, followed into status. A reconcile is read → decide → act, each step in its own file and never
// returning to an earlier one (docs/design.md §4); a kind's differences come from its strategy
// (src/controllers/kind).
// - agent-shell-configmaps.ts: the agent shell's ConfigMap per namespace, used only once its data is found ours.
// - attempt-usage.ts: a finished attempt's usage entry and the limit that stopped it: the agent's
//   report, or with the model gateway its ledger (the report kept as `reported`).
// - act.ts: step three: the plan's actions carried out, every write guarded against a stale read.
// - decide.ts: step two: the world read turned into actions and a status; pure.
// - events.ts: a Kubernetes Event per transition, best effort.
// - expiry.ts: cleanup.ttlSecondsAfterFinished: when a finished run is deleted.
// - finalizer.ts: the cleanup finalizer's contract.
// - owned-objects.ts: a run's objects created and deleted idempotently, our own adopted after a crash.
// - read.ts: step one: the run's world from the caches, synchronous and free of writes.
// - reconciled-log.ts: the seeds' "reconciled successfully" debug line, one per reconcile that acted.
// - reconciler.ts: the three steps put together, what a controller calls.
// - retry.ts: when a failed attempt is retried: pure arithmetic on what the cluster shows.
// - status.ts: a run's status as a pure function of its attempt's state.
// - verdict.ts: the phase, reasons and message of each attempt state, one exhaustive switch.
// - workspace-tenancy.ts: whose a workspace claim is: a run of another submitter does not join it silently.
// - world.ts: what one reconcile sees, a union whose members cannot hold an illegal combination.

export { AgentShellConfigMaps } from './agent-shell-configmaps.js';
export { RunReconciler } from './reconciler.js';
