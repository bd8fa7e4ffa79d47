// The agent container's environment: the controller config's job.env, the run's own variables (CodeRun spec.env, spec.envFromSecrets),
// then the operator's (the model's credential, the Docker daemon's address, the run's trace, the
// agent's own telemetry), and no GitHub credential: those are the prepare and publish containers'
// (github-credentials.ts, docs/security.md "Phases and their credentials"). Admission
// refuses a run variable with a reserved name (src/admission/rules/environment.ts); a run stored
// without the webhooks loses such a variable here, so the operator's always win and every name
// appears once in the pod.

import type { AgentCli } from '../../agent-cli/index.js';
import {
  AGENT_ENV,
  type ControllerConfig,
  configEnvAllowed,
  type EnvFromSecret,
  type GithubAuth,
  isReservedEnv,
} from '../../api/index.js';
import type { EnvVar } from './env-var.js';
import { secretEnv } from './github-credentials.js';
import { type TelemetryRun, telemetryEnv } from './telemetry-env.js';

/** The spec fields some kinds have (CodeRun); absent on the others. */
export interface RunEnvSpec {
  env?: Record<string, string>;
  envFromSecrets?: EnvFromSecret[];
}

const fromSecret = (name: string, secret: string, key: string): EnvVar => ({
  name,
  valueFrom: { secretKeyRef: { name: secret, key } },
});

/**
 * The run's variables: values by name (sorted: a map has no order once the apiserver stored it), then
 * Secret keys in list order; reserved names left out. A name in both (admission refuses it) is kept
 * once, from the Secret, where Kubernetes would take the last.
 */
export function runEnv(spec: RunEnvSpec): EnvVar[] {
  const byName = new Map<string, EnvVar>();
  const values = Object.entries(spec.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of values) byName.set(name, { name, value });
  for (const e of spec.envFromSecrets ?? []) {
    byName.delete(e.name);
    byName.set(e.name, fromSecret(e.name, e.secretName, e.secretKey));
  }
  return [...byName.values()].filter((e) => !isReservedEnv(e.name));
}

export interface OperatorEnvInput {
  config: ControllerConfig;
  /** The profile's agent CLI (src/agent-cli): the variables of its model calls. */
  cli: AgentCli;
  /** How the run authenticates to GitHub (names the config's Secrets, e.g. the model key's). */
  auth: GithubAuth;
  /** The Docker daemon's address when the pod has one (docker-sidecar.ts). */
  dockerHost?: string | undefined;
  /** The run's trace context (src/observability/traceparent.ts), so the agent's spans join its trace. */
  traceParent?: string | undefined;
  /** The egress proxy's variables (src/egress), the same in every container of the pod. */
  proxy?: EnvVar[] | undefined;
  /** Which run the agent's telemetry belongs to (config agentTelemetry: telemetry-env.ts). */
  telemetry?: TelemetryRun | undefined;
}

/**
 * The operator's variables: the model's credential, the Docker daemon's address, the run's trace
 * context (W3C's TRACEPARENT, which OpenTelemetry SDKs and CLIs take as their parent).
 */
function operatorEnv({
  config,
  cli,
  auth,
  dockerHost,
  traceParent,
  telemetry,
  proxy,
}: OperatorEnvInput): EnvVar[] {
  return [
    ...modelEnv(config, auth, cli),
    ...(proxy ?? []),
    ...(dockerHost ? [{ name: AGENT_ENV.dockerHost, value: dockerHost }] : []),
    ...(traceParent ? [{ name: AGENT_ENV.traceParent, value: traceParent }] : []),
    ...(telemetry ? telemetryEnv(config, telemetry) : []),
  ];
}

/**
 * How the CLI reaches the model: through the gateway, with a token the actor stamps into the Job
 * (src/gateway/stamp.ts; empty here, as the builders are pure), or with the platform's key from the
 * run's namespace when the gateway is off.
 */
/** The gateway's base URL as the CLI is given it: gateway.url, and the CLI's provider's path on it. */
const gatewayUrlFor = (url: string, cli: AgentCli): string =>
  cli.gatewayPath ? `${url.replace(/\/$/, '')}${cli.gatewayPath}` : url;

function modelEnv(config: ControllerConfig, auth: GithubAuth, cli: AgentCli): EnvVar[] {
  if (!config.gateway.enabled)
    return cli.env.apiKey ? secretEnv(cli.env.apiKey, config.secrets.apiKey, auth) : [];
  return [
    { name: cli.env.gatewayUrl, value: gatewayUrlFor(config.gateway.url ?? '', cli) },
    { name: cli.env.gatewayToken, value: '' },
  ];
}

/**
 * The agent container's env: the config's job.env, then the run's (which wins a name), then the
 * operator's. Reserved names never come from the first two (refused at load and admission).
 */
export function agentEnv(spec: RunEnvSpec, input: OperatorEnvInput): EnvVar[] {
  const own = runEnv(spec);
  const named = new Set(own.map((e) => e.name));
  const configured = Object.entries(input.config.job.env ?? {})
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .filter(([name]) => configEnvAllowed(name, input.config) && !named.has(name))
    .map(([name, value]) => ({ name, value }));
  return [...configured, ...own, ...operatorEnv(input)];
}
