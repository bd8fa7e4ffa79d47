// Whether the cluster enforces NetworkPolicies (src/egress/enforcement-probe.ts: a known engine's
// DaemonSet): without an engine, the agent sandbox's policies are stored and do nothing. A warning,
// not an error: an engine the probe does not know, or one outside the cluster's pods, reads as "not
// known", never as absent. Not asked at a manager's start, which logs the same verdict once already
// (src/app/egress.ts).
import { networkPolicyEnforcement } from '../egress/index.js';
import { type DoctorCheck, ok, problem } from './check.js';

const NAME = 'network-policy';

export const networkPolicyCheck: DoctorCheck = {
  name: NAME,
  description: "a NetworkPolicy engine that enforces the agent sandbox's policies (where it can tell)",
  async run(ctx) {
    if (ctx.atStart) return [];
    const verdict = await networkPolicyEnforcement(ctx.client);
    return [
      verdict.enforced
        ? ok(NAME, verdict.message)
        : problem(
            NAME,
            'warning',
            verdict.message,
            'a CNI that enforces NetworkPolicies (Calico, Cilium, …; kind: --config with disableDefaultCNI and Calico), or egress by allowlist (docs/agent-pods.md "Egress")',
          ),
    ];
  },
};
