// The agent container's environment as a contract shared by admission (which refuses what the pod
// could not honour), rendering and the Job builder: which variable names a run may set (CodeRun
// spec.env, spec.envFromSecrets) and which belong to the operator. The design it implements: docs/design.md §1.2 (agent environment).

import { ALL_CLIS, claude } from '../agent-cli/index.js';
import { ENTRY_SCRIPT_ENV_NAMES } from './generated/entry-script-env.js';
import type { ControllerConfig } from './types.js';

/** A variable name the entry script (bash) can read: the schema's envFromSecrets[].name pattern. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Variables the Job sets from the controller config: the agent CLI reads the API key, the entry script
 * the path of the GitHub App installation token the operator minted, or a GitHub user's token and the
 * path of their SSH key (templates/agent-shell/github-auth.sh), the Docker CLI the sidecar's address,
 * the agent's OpenTelemetry SDK the run's trace context.
 */
export const AGENT_ENV = Object.freeze({
  /** Claude Code's (the variables of each CLI's model calls are its module's: src/agent-cli). */
  apiKey: claude.env.apiKey as string,
  /** With the model gateway (config gateway): where Claude Code sends its calls, and the attempt's token. */
  gatewayUrl: claude.env.gatewayUrl,
  gatewayToken: claude.env.gatewayToken,
  /** No longer set (the operator mints the tokens, §4.8); still reserved, so no run passes a key by that name. */
  githubAppId: 'GITHUB_APP_ID',
  githubAppPrivateKey: 'GITHUB_APP_PRIVATE_KEY',
  /** No longer set (the phases ask the operator's broker, below); still reserved. */
  githubAppTokenFile: 'GITHUB_APP_TOKEN_FILE',
  /**
   * Where a phase (prepare, publish) asks the operator for its installation token, and the file of
   * the projected ServiceAccount token it asks with (docs/security.md "Phases and their credentials").
   */
  githubTokenUrl: 'GITHUB_APP_TOKEN_URL',
  githubTokenCredentialFile: 'GITHUB_APP_TOKEN_CREDENTIAL_FILE',
  /**
   * With the model gateway: where the agent container asks for its attempt's token, the file of the
   * projected ServiceAccount token it asks with, and the variable the agent CLI reads the token from
   * (set by the entry script for the CLI's process only: docs/security.md "The model gateway").
   */
  modelTokenUrl: 'ORCHESTRATOR_MODEL_TOKEN_URL',
  modelTokenCredentialFile: 'ORCHESTRATOR_MODEL_TOKEN_CREDENTIAL_FILE',
  modelTokenVariable: 'ORCHESTRATOR_MODEL_TOKEN_VARIABLE',
  githubToken: 'GITHUB_TOKEN',
  githubSshKeyFile: 'GITHUB_SSH_KEY_FILE',
  dockerHost: 'DOCKER_HOST',
  traceParent: 'TRACEPARENT',
} as const);

/**
 * The variables of the agent CLI's own telemetry (config agentTelemetry), set by the operator when it
 * is on: reserved always, so a run can neither turn it off nor send it elsewhere.
 */
export const TELEMETRY_ENV = Object.freeze({
  enable: 'CLAUDE_CODE_ENABLE_TELEMETRY',
  metricsExporter: 'OTEL_METRICS_EXPORTER',
  logsExporter: 'OTEL_LOGS_EXPORTER',
  endpoint: 'OTEL_EXPORTER_OTLP_ENDPOINT',
  protocol: 'OTEL_EXPORTER_OTLP_PROTOCOL',
  resourceAttributes: 'OTEL_RESOURCE_ATTRIBUTES',
  metricInterval: 'OTEL_METRIC_EXPORT_INTERVAL',
} as const);

/** Every variable the entry script exports is ORCHESTRATOR_*: the prefix is the operator's. */
export const RESERVED_ENV_PREFIX = 'ORCHESTRATOR_';

/**
 * Variables the shipped entry scripts and hooks (templates/) assign: a run's value would be replaced
 * without a word. Derived from the shell by `npm run generate` (scripts/generate-entry-env.js), so the
 * names are written in one place; those under the operator's prefix are reserved by it.
 */
export const ENTRY_SCRIPT_ENV: readonly string[] = Object.freeze(
  ENTRY_SCRIPT_ENV_NAMES.filter((name) => !name.startsWith(RESERVED_ENV_PREFIX)),
);

/** Read by bash before the entry script's first line (or by its word splitting): they would change how every line runs. */
const SHELL_STARTUP_ENV = ['BASH_ENV', 'BASHOPTS', 'ENV', 'IFS', 'SHELLOPTS'];

/**
 * What routes the agent CLI's model calls (its API's address and credentials, another provider, a
 * proxy): the operator's alone, so that no run can send the calls, or the attempt's token, anywhere but
 * the model gateway (docs/security.md "The model gateway").
 */
const ROUTING_ENV_PREFIXES = [...new Set(ALL_CLIS.flatMap((cli) => cli.routingEnvPrefixes))];
/** Every CLI's model variables (a codex profile's run may not set Claude Code's either: one list for all). */
const CLI_MODEL_ENV = ALL_CLIS.flatMap((cli) => Object.values(cli.env));

/** The CLIs' credential variables: the platform's key or the attempt's token, never the config's. */
const CLI_CREDENTIAL_ENV = ALL_CLIS.flatMap((cli) => [
  cli.env.gatewayToken,
  ...(cli.env.apiKey ? [cli.env.apiKey] : []),
]);

const PROXY_ENV = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY'].flatMap((n) => [n, n.toLowerCase()]);

/** Whether the name routes the CLI's model calls. */
export const isRoutingEnv = (name: string): boolean =>
  ROUTING_ENV_PREFIXES.some((prefix) => name.startsWith(prefix)) || PROXY_ENV.includes(name);

/** The names a run may not set, sorted (the prefixes last), for messages and the docs. */
export const RESERVED_ENV_NAMES: readonly string[] = Object.freeze(
  [
    ...new Set([
      ...Object.values(AGENT_ENV),
      ...CLI_MODEL_ENV,
      ...Object.values(TELEMETRY_ENV),
      ...ENTRY_SCRIPT_ENV,
      ...SHELL_STARTUP_ENV,
      ...PROXY_ENV,
    ]),
  ].sort(),
);

/** Whether the operator (the Job, the entry script, or bash) owns the name. */
export const isReservedEnv = (name: string): boolean =>
  name.startsWith(RESERVED_ENV_PREFIX) || RESERVED_ENV_NAMES.includes(name) || isRoutingEnv(name);

/** The reserved names as a message lists them. */
export const reservedEnvList = (): string =>
  [...RESERVED_ENV_NAMES, ...ROUTING_ENV_PREFIXES, RESERVED_ENV_PREFIX]
    .map((n) => (n.endsWith('_') ? `${n}*` : n))
    .join(', ');

/**
 * Whether the controller config's job.env may set the name: what a run may, and while the gateway is
 * off the routing variables besides the key (the administrator's own gateway, as before the gateway),
 * but not the proxy's while egress is on (the operator sets them: src/egress).
 */
export const configEnvAllowed = (name: string, config: ControllerConfig): boolean =>
  !isReservedEnv(name) ||
  (!config.gateway.enabled &&
    isRoutingEnv(name) &&
    !(config.egress.enabled && PROXY_ENV.includes(name)) &&
    !CLI_CREDENTIAL_ENV.includes(name));

/** What is wrong with the name of a variable given to the agent (a run's or the config's), or undefined. */
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return `must be a letter or _, then letters, digits or _ (${ENV_NAME.source})`;
  if (isReservedEnv(name))
    return `reserved: the operator or the entry script sets it, so this value would not reach the agent (reserved: ${reservedEnvList()})`;
  return undefined;
}
