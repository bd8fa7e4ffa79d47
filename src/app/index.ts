// The process of `orchestrator run`: the webhook server, the REST API and the manager wired together from
// one options object, as the Deployment runs them, and the local environment used when no cluster is
// configured (docs/design.md §1.4). The one folder that may know every other below the CLI. run.ts is
// the list of steps; each feature is one file.
// - run.ts: `orchestrator run` itself: what starts, in which order, one line per step.
// - run-context.ts: what the steps share: options, logger, registry, inputs, client, servers started.
// - logger.ts: the process's logger: JSON lines, or pretty on a terminal; traced and exported.
// - tracing.ts: OpenTelemetry started first, and whether it exports, logged once.
// - build-info.ts: the orchestrator_build_info gauge: the release each replica runs; the process's registry.
// - watched-inputs.ts: the hot-reloaded inputs (config, templates, GitHub secrets, alert tokens) wired with their log
//   lines and metrics.
// - local.ts: the local environment (built-in control plane, CRDs, RBAC, config, agent sandbox,
//   certificates) for `orchestrator run` without a cluster; apart so run.ts reads as the in-cluster path.
// - local-mode.ts: local mode's steps: the environment started, the webhooks registered in it, its
//   workloads followed, the banner.
// - local-model-key.ts: local mode's platform model key (a file or a variable), stored where the
//   gateway reads it.
// - local-egress.ts: local mode's egress by allowlist, applied as an install applies it.
// - local-protections.ts: the banner's lines on the gateway and egress.
// - serving-certificate.ts: the self-managed webhook certificate's first pass before the servers, then kept.
// - certificates.ts: the serving certificate files the webhooks, the REST API and the metrics share.
// - connect.ts: the apiserver, the manager's clients of it, and the preflight checks.
// - preflight.ts: what `orchestrator run` checks against a cluster it did not make (certificate, CRDs,
//   the Lease's namespace), each problem one line with its fix.
// - webhooks.ts: the admission webhooks' server and routes, their reference checks on a client of their own.
// - github-apps.ts: the GitHub Apps' tokens, and what is asked of GitHub with them (the GitHub webhook's
//   permissions, pull request comments, task markers).
// - start-checks.ts: the doctor's checks at a manager's start, each problem logged once with its fix.
// - doctor-context.ts: what the doctor's checks are given: the shipped manifests read as files, the runs'
//   namespaces, and how the manager's permissions are asked (src/doctor).
// - rest-api.ts: the REST API's part of the process: the API server, which serves the GitHub webhook and
//   the alert receiver too.
// - connections.ts: the config's connection limits, which every listener of the process is held to.
// - github-webhook.ts: the GitHub webhook's router on the REST API's port, under a budget of its own.
// - alerts-webhook.ts: the alert receiver's router on the REST API's port, under a budget of its own.
// - model-gateway.ts: the model gateway's step, on every replica.
// - gateway.ts: the model gateway wired: its keys and ledger in the operator's namespace, the run's and the
//   team budgets' limits, the listener; the agents' token broker.
// - github-token-broker.ts: the phases' GitHub token broker on the gateway's listener: its route, its
//   TokenReviews' budget, the sweep that revokes the tokens handed out.
// - model-token-broker.ts: the agents' model token broker on the gateway's listener: its route, its
//   TokenReviews' budget, the attempt check shared with the GitHub token broker.
// - manager.ts: leader election and the manager, with the metrics endpoint and the probes.
// - secure-metrics.ts: the metrics endpoint behind HTTPS and RBAC, as kubebuilder scaffolds it.
// - controllers.ts: the run reconcilers' informers and controllers handed to the manager.
// - readiness.ts: a readyz check per server started, and the line (local: the banner) that says ready.
// - egress.ts: whether the agents' NetworkPolicies can hold, said once.
// - protections-off.ts: the protections the config has off (gateway, egress) warned of at start and on
//   a reload that turns one off.
// - shutdown.ts: how the process stops: the servers drained beside the manager, then all closed in order.
// - options.ts: the run options, from the config file, then flags, then environment; nothing read at import.
// - listeners.ts: the listeners' ports, none shared, and the API's address from a flag or a seed variable, not both.
// - service-account.ts: the manager's identity (the orchestrator ServiceAccount), in a pod or locally, so
//   a permission missing from config/rbac fails locally as in a cluster; the user name the webhooks trust
//   to state a run's submitter.

export { doctorContext, reviewFor, runNamespacesOf } from './doctor-context.js';
export { type RunFlags, runOptions } from './options.js';
export { run } from './run.js';
export { MANAGER_SERVICE_ACCOUNT } from './service-account.js';
