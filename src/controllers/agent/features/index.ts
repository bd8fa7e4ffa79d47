// The features of the agent's Job, each a function of the base Job (src/controllers/agent/manifests.ts), the resolved run
// and the attempt that returns only what it adds; attemptJob applies them in the order of JOB_FEATURES.
// They sit here rather than in the folders of what they configure (src/egress, src/gateway): the
// additions they return are the Job builder's type, and those folders stand lower in the layering.
// - apply.ts: the base Job with the features' additions, applied in the list's order.
// - docker.ts: the Docker sidecar of a CodeRun with spec.enableDocker, and the agent's DOCKER_HOST.
// - egress-proxy.ts: the egress proxy's variables in every container, and the pod's allowlist label.
// - feature.ts: what a feature is: the base Job's shape, the additions, the attempt's context.
// - github-phases.ts: the GitHub credentials of prepare (read) and the publisher (write).
// - mcp-headers.ts: the agent's variables of the team MCP servers' headers, from their Secrets.
// - model-gateway.ts: the agent's model variables: the gateway's URL and token, or the platform's key.
// - placement.ts: the pod's scheduling fields from config, profile and run.
// - telemetry.ts: the run's trace context and the agent CLI's telemetry export.
import { docker } from './docker.js';
import { egressProxy } from './egress-proxy.js';
import type { JobFeature } from './feature.js';
import { githubPhases } from './github-phases.js';
import { mcpHeaders } from './mcp-headers.js';
import { modelGateway } from './model-gateway.js';
import { placement } from './placement.js';
import { telemetry } from './telemetry.js';

export { withAdditions } from './apply.js';
export type { AgentJob, FeatureContext, JobAdditions, JobFeature } from './feature.js';
export { modelEnv } from './model-gateway.js';

/**
 * Every feature, in the order their additions land: a container's variables read model, proxy,
 * Docker, telemetry, then the MCP servers' headers; prepare's and the publisher's, their credential then the proxy.
 */
export const JOB_FEATURES: readonly JobFeature[] = Object.freeze([
  placement,
  githubPhases,
  modelGateway,
  egressProxy,
  docker,
  telemetry,
  mcpHeaders,
]);
