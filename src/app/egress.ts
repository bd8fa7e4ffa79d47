// Egress by allowlist in `orchestrator run`: whether the agents' NetworkPolicies can hold, said once
// (docs/agent-pods.md "Egress").
import { networkPolicyEnforcement } from '../egress/index.js';
import type { Connected } from './run-context.js';

export function logEgressEnforcement(proc: Connected): void {
  const { client, logger } = proc;
  if (proc.inputs.config.current().egress.enabled)
    void networkPolicyEnforcement(client).then((v) =>
      v.enforced ? logger.info({ engine: v.engine }, v.message) : logger.warn(v.message),
    );
}
