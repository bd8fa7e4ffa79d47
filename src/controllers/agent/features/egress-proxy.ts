// Egress by allowlist (src/egress): with egress on, every container goes out through the profile's
// allowlist port, and the pod carries the label its NetworkPolicy selects.
import { LABELS } from '../../../api/index.js';
import { agentAllowlist, proxyEnv } from '../../../egress/index.js';
import type { JobFeature } from './feature.js';

export const egressProxy: JobFeature = (_base, { run, agent }, { config }) => {
  const allowlist = agentAllowlist(config, agent);
  const proxy = proxyEnv(config, agent, run.metadata?.namespace ?? '');
  return {
    ...(allowlist ? { podLabels: { [LABELS.egress]: allowlist } } : {}),
    ...(proxy.length > 0 ? { env: { prepare: proxy, agent: proxy, publish: proxy } } : {}),
  };
};
