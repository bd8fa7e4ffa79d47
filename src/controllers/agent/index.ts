// The agent's pod, as pure builders of the (resolved) run: the attempt's Job (containers, security
// context, volumes), its ConfigMap and the workspace PVC (docs/design.md §1.2). No I/O, so every field is
// unit-tested; the reconciler (src/controllers/reconcile) creates what these return.
// - docker-sidecar.ts: the Docker daemon of a CodeRun with spec.enableDocker, a native sidecar, privileged
//   only where the config allows it.
// - features/: what the Job gets beyond its base, one file per feature (placement, GitHub phases, model
//   gateway, egress proxy, Docker, telemetry), applied by attemptJob in one list's order.
// - env-var.ts: one container variable (a value, or a Secret key by reference), the type the builders share.
// - env.ts: the agent container's own environment: config, then run, each name once (the operator's
//   are the features').
// - github-credentials.ts: the agent's GitHub credentials, only ever by reference (a minted token's
//   Secret, or a user's key and token).
// - telemetry-env.ts: the agent CLI's OpenTelemetry export (config agentTelemetry), its signals tied to
//   the run by resource attributes.
// - manifests.ts: the workspace PVC, the attempt's ConfigMap and Job (a base, then the features'
//   additions), and the agent shell's ConfigMap the namespace's runs share.
export type { EnvVar } from './env-var.js';
export {
  type AttemptInput,
  agentShellConfigMap,
  attemptConfigMap,
  attemptJob,
  controllerReference,
  WORKSPACE_VOLUME,
  workspacePvc,
} from './manifests.js';
