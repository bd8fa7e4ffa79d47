// The process of `orchestrator run`: the webhook server, the REST API and the manager wired together from
// one options object, as the Deployment runs them, and the local environment used when no cluster is
// configured (docs/design.md §1.4). The one folder that may know every other below the CLI.
// - build-info.ts: the orchestrator_build_info gauge: the release each replica runs.
// - local.ts: the local environment (built-in control plane, CRDs, RBAC, config, agent sandbox,
//   certificates) for `orchestrator run` without a cluster; apart so run.ts reads as the in-cluster path.
// - doctor-context.ts: what the doctor's checks are given: the shipped manifests read as files, the runs'
//   namespaces, and how the manager's permissions are asked (src/doctor).
// - gateway.ts: the model gateway wired: its keys and ledger in the operator's namespace, the run's and the
//   team budgets' limits, the listener; the token stamper the reconcilers use.
// - github-token-broker.ts: the phases' GitHub token broker on the gateway's listener: its route, its
//   TokenReviews' budget, the sweep that revokes the tokens handed out.
// - options.ts: the run options, from the config file, then flags, then environment; nothing read at import.
// - preflight.ts: what `orchestrator run` checks against a cluster it did not make (certificate, CRDs,
//   the Lease's namespace), each problem one line with its fix.
// - rest-api.ts: the REST API's part of the process: the manager's identity (trusted by the webhooks) and
//   the API server, which serves the GitHub webhook too.
// - run.ts: `orchestrator run` itself: what starts, in which order, and how it stops.
// - secure-metrics.ts: the metrics endpoint behind HTTPS and RBAC, as kubebuilder scaffolds it.
// - service-account.ts: the manager's identity (the orchestrator ServiceAccount), in a pod or locally, so
//   a permission missing from config/rbac fails locally as in a cluster.
// - start-checks.ts: the doctor's checks at a manager's start, each problem logged once with its fix.
// - watched-inputs.ts: the hot-reloaded inputs (config, templates, GitHub secrets) wired with their log
//   lines and metrics.
export { defaultConfigFile, type RunFlags, runOptions } from './options.js';
export { run } from './run.js';
