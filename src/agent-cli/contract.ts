// What the platform needs to know of an agent CLI (docs/agents.md "The contract"), as data the Job
// builder, admission and the gateway read; what the CLI does at run time (install its settings, start
// non-interactively, resume, read its usage and result) is its agent-shell file's
// (templates/agent-shell/cli-{name}.sh), which defines the same cli_* functions for every CLI.

/** The model API a CLI speaks, as the gateway serves it (src/gateway: one provider object each). */
export type ProviderName = 'anthropic' | 'openai' | 'gemini';

/**
 * Where the gateway serves each provider's API: its paths under this prefix are the API's own (the
 * Anthropic API at the root, as before there were others), so one listener serves them all.
 */
export const PROVIDER_PATHS: Readonly<Record<ProviderName, string>> = Object.freeze({
  anthropic: '',
  openai: '/openai',
  gemini: '/gemini',
});

/** The limits of spec.limits a CLI can enforce itself; the gateway enforces maxBudgetUsd for every CLI. */
export interface CliLimits {
  maxTurns: boolean;
  maxBudgetUsd: boolean;
  fallbackModel: boolean;
}

export interface AgentCli {
  /** The profile's `cli` value. */
  name: string;
  /** Its command on the agent image's PATH. */
  command: string;
  provider: ProviderName;
  /**
   * The gateway's path prefix for this provider ('' : the root): appended to gateway.url in the URL
   * the CLI is given, so one listener serves every provider on paths that never collide.
   */
  gatewayPath: string;
  /** The variables the Job sets for the CLI's model calls (its credential and, with the gateway, where they go). */
  env: {
    /**
     * The platform's key from the run's namespace (secrets.apiKey) while the gateway is off; absent:
     * the CLI runs only through the gateway (a profile naming it needs gateway.enabled).
     */
    apiKey?: string;
    /** The gateway's base URL for this CLI (gateway.url and gatewayPath). */
    gatewayUrl: string;
    /**
     * The variable the CLI reads the attempt's token from: set by the entry script for its process
     * only, from the gateway's answer (src/gateway/model-token-issuer.ts), unless `asksForToken`.
     */
    gatewayToken: string;
  };
  /**
   * Whether the CLI asks the gateway for the attempt's token itself as it starts, through the agent
   * shell's model-token.sh (claude: its settings' apiKeyHelper), while it starts its MCP servers
   * (decision 0094); else the entry script asks first and sets `env.gatewayToken` for its process.
   */
  asksForToken: boolean;
  /** Name prefixes that route the CLI's calls elsewhere (another endpoint, provider or credential): the operator's alone. */
  routingEnvPrefixes: readonly string[];
  /** What the CLI itself stops at (the rest of spec.limits is the gateway's, or refused: docs/agents.md). */
  limits: CliLimits;
  /**
   * Whether its agent-shell file gives the CLI the rendered mcp.json's servers (the preset's and the
   * team's, docs/tools.md); a profile of a CLI that does not is refused team servers at config load.
   */
  mcpServers: boolean;
}
