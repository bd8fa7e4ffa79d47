// Egress by allowlist (docs/agent-pods.md "Egress"): agent pods reach the hosts of their profile's
// allowlist through a shared Squid, and nothing else but DNS, the model gateway and the allowlist's
// Services, by NetworkPolicy. Pure renderers of the controller config's egress section.
// - access-log.ts: the proxy's access log format, and a refused request read from one line.
// - apiserver-policy.ts: the NetworkPolicy of agents with clusterAccess: the apiserver's addresses only.
// - allowlists.ts: a profile's allowlist, the proxy's address, the proxy variables of agent pods.
// - enforcement-probe.ts: whether a known NetworkPolicy engine runs in the cluster (start-up notice, doctor).
// - network-policy.ts: the NetworkPolicy of an allowlist's pods in a namespace; Services as peers.
// - proxy-manifests.ts: the proxy's ConfigMap, Deployment, Service and NetworkPolicy (agent pods only).
// - refused-ranges.ts: the address ranges the proxy never connects to, and the private ones it refuses.
// - refusal-comment.ts: the pull request comment of an attempt's refusals, the hosts in code spans.
// - refusal-tally.ts: a run's refusals as status keeps them (bounded), and the sentence saying them.
// - squid-config.ts: squid.conf, one port per allowlist.

export { ACCESS_LOG_FORMAT, ACCESS_LOG_FORMAT_LINE, parseRefusal, type Refusal } from './access-log.js';
export {
  type AllowedService,
  type Allowlist,
  agentAllowlist,
  type Egress,
  proxyEnv,
  proxyHost,
} from './allowlists.js';
export {
  APISERVER_POLICY_NAME,
  APISERVER_SERVICE,
  apiserverPolicy,
  ENDPOINT_SLICE_SERVICE_LABEL,
} from './apiserver-policy.js';
export {
  type EnforcementVerdict,
  enforcementFromDaemonSets,
  networkPolicyEnforcement,
  POLICY_ENGINES,
} from './enforcement-probe.js';
export {
  allowlistPolicies,
  allowlistPolicy,
  allowlistPolicyName,
  allowlistServices,
  type ServicePeer,
  servicePeer,
} from './network-policy.js';
export { ACCESS_LOG_CONTAINER, PROXY_CONTAINER, proxyObjects, proxyPodLabels } from './proxy-manifests.js';
export {
  commentMarker,
  hostsSince,
  markdownCode,
  type RefusalCommentInput,
  refusalComment,
} from './refusal-comment.js';
export {
  addRefusals,
  type EgressRefusals,
  MAX_REFUSED_HOSTS,
  newlyRefused,
  type RefusalCounts,
  type RefusedHost,
  refusalSentence,
  withRefusals,
} from './refusal-tally.js';
export { ACCESS_LOG, squidConfig } from './squid-config.js';
