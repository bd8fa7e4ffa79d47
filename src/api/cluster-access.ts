// Which agent pods may call the Kubernetes API (docs/design.md §1.2, agent sandbox). An agent pod
// mounts no ServiceAccount token unless its profile sets clusterAccess; then it runs as the profile's
// own ServiceAccount, never one the run names: whoever may create a run must not borrow the token of
// any ServiceAccount of the namespace through the operator.

import { runProfile } from './defaulting.js';
import type { RunKindName } from './kinds.js';
import type { ControllerConfig } from './types.js';

type Obj = Record<string, unknown>;

/** The ServiceAccount whose token the run's pods mount, or undefined: they mount none. */
export function clusterAccount(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
  profile = runProfile(kind, spec, config),
): string | undefined {
  return profile?.clusterAccess ? profile.serviceAccountName : undefined;
}

/** Why the run's own serviceAccountName cannot be honoured, or undefined when it can. */
export function serviceAccountRefusal(
  kind: RunKindName,
  spec: Obj,
  config: ControllerConfig,
): string | undefined {
  const account = clusterAccount(kind, spec, config);
  const asked = spec.serviceAccountName;
  if (account === undefined || asked === undefined || asked === null || asked === account) return undefined;
  return `the run's agent has clusterAccess, so its pods run as the agent's own ServiceAccount "${account}" (controller config); remove spec.serviceAccountName or set it to "${account}"`;
}
