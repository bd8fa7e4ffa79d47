// The run reconcilers: one generic reconciler for every run kind, fed by informers of the runs and of
// what they own, with one count of concurrency slots across kinds (docs/design.md §4, §5). Each
// subfolder is one concern of it, with its own index.ts; the files here are the wiring and what the
// subfolders share.
// - agent/: the agent's pod as pure builders: Job, ConfigMap, PVC, environment, credentials, sidecar.
// - agent-shell-sweeper.ts: the agent-shell ConfigMaps of earlier templates (or versions) deleted once
//   nothing uses them.
// - budgets/: what each namespace's runs spent, and the budgets that hold new attempts once spent.
// - capacity/: concurrency slots over every run kind: who holds one, who waits, who may start.
// - conditions.ts: status conditions with Kubernetes' transition semantics.
// - egress/: what the egress proxy refused, read from its access log and put on the runs whose pods asked.
// - egress-wiring.ts: egress/'s refusals wired into the controllers when egress is on at start.
// - event-filters.ts: which cache changes are worth a reconcile (controller-runtime's predicates).
// - job-cache.ts: a Job as the caches keep it: metadata, status and the workspace volume.
// - kind/: what differs between the run kinds, a strategy per kind, and TaskRun dependencies.
// - logs/: each attempt's prepare and agent logs kept after its pod, in ConfigMaps named in status.logs.
// - metrics/: what the reconcilers report to Prometheus.
// - notifications/: a word to a team's webhooks and Slack as runs start, open pull requests and end.
// - notifications-wiring.ts: a notifier per run kind in the run controllers.
// - play-wiring.ts: play/'s stages controller wired, given an informer of CodeRuns.
// - play/: the stages of Argo Workflows (CodeRuns they created) counted, traced and said on the pull
//   request as they end.
// - pods/: following an attempt's agent through its Job and pod.
// - provenance/: which Jobs and ConfigMaps the operator made for a run (its seal, the uids in status).
// - reconcile/: the generic run reconciler: read, decide, act.
// - remembered.ts: a bounded memory of what a leader's controller observed and did (plays, notifications).
// - run-controllers.ts: the informers, caches and controllers wired as the manager runs them
//   (src/app/controllers.ts) and as the integration tests start them: a list, and each kind's controller.
// - run-controllers-options.ts: what run-controllers.ts is given.
// - run-status-patch.ts: a field of a run's status merge-patched beside the reconciler's writes.
// - shared-caches.ts: the caches every kind's controller reads: runs, Jobs, ConfigMaps, PVCs, pods, spend, slots.
// - run-reconcile-trace.ts: what a run's reconcile span says of the run, so its reconciles join its trace.
export { notMadeFor, objectSeal, recordedUid, SEAL_ANNOTATION, type Seal } from './provenance/index.js';
export { runControllers } from './run-controllers.js';
