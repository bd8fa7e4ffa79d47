// When a CodeRun may have a Docker daemon (spec.enableDocker), one answer for admission and rendering
// (docs/security.md "Docker runs"). The daemon runs privileged: root on the node, so nothing that holds
// for an agent pod holds for that run: not the restricted Pod Security Standard, not its NetworkPolicy
// or the egress proxy, not the phases' separation of credentials (a privileged container reads every
// pod's volumes on its node, the GitHub App tokens of the prepare and publish phases among them). A
// rootless, unprivileged daemon would change this; the sidecar is not one.
import { githubAuth } from './github-auth.js';
import type { ControllerConfig } from './types.js';

const NOT_ALLOWED =
  'the Docker daemon runs as a privileged sidecar, which breaks the restricted Pod Security Standard, ' +
  "so the controller config's job.docker.allowed is false by default; ask the operator's administrator " +
  'to allow it, or leave enableDocker unset';

const EGRESS_ON =
  'the Docker daemon is privileged, root on the node, so egress by allowlist (egress.enabled, on) would ' +
  'not hold for this run: a Docker run needs a controller config with egress.enabled false';

const APP_RUN =
  'the Docker daemon is privileged, root on the node, where the GitHub App tokens of this run and of ' +
  "other runs' phases are: a run acting as a GitHub App (spec.githubApp) may not have one; run it as a " +
  'GitHub user (spec.githubUser) instead';

/** Why a run with this spec may not have a Docker daemon under this config, or undefined when it may. */
export function dockerRefusal(config: ControllerConfig, spec: Record<string, unknown>): string | undefined {
  if (!config.job.docker.allowed) return NOT_ALLOWED;
  const reasons = [
    ...(config.egress.enabled ? [EGRESS_ON] : []),
    ...(githubAuth(spec).method === 'app' ? [APP_RUN] : []),
  ];
  return reasons.length > 0 ? reasons.join('; and ') : undefined;
}
