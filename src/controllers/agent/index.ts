// The agent's pod, as pure builders: the attempt's Job (containers, security context, volumes), its
// ConfigMap and workspace PVC, the agent's environment and GitHub credentials, the Docker sidecar
// (docs/design.md §1.2).
export type { EnvVar } from './env-var.js';
export {
  type AttemptInput,
  attemptConfigMap,
  attemptJob,
  controllerReference,
  WORKSPACE_VOLUME,
  workspacePvc,
} from './manifests.js';
