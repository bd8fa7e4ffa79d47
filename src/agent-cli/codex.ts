// OpenAI's Codex CLI (`codex`, @openai/codex): `codex exec` against the Responses API, through a model
// provider its config.toml names (base_url: the gateway's OpenAI route; env_key: the token's
// variable). Its run-time part is templates/agent-shell/cli-codex.sh; docs/agents.md "codex".
import { type AgentCli, PROVIDER_PATHS } from './contract.js';

export const codex: AgentCli = {
  name: 'codex',
  command: 'codex',
  provider: 'openai',
  // The CLI's base_url ends with the API's version; it appends /responses.
  gatewayPath: `${PROVIDER_PATHS.openai}/v1`,
  // The token goes in a variable of the platform's own name, which config.toml's env_key names: the
  // CLI's own OPENAI_API_KEY is then never read, whoever sets it. No apiKey: it runs through the gateway only.
  env: { gatewayUrl: 'ORCHESTRATOR_OPENAI_BASE_URL', gatewayToken: 'ORCHESTRATOR_MODEL_TOKEN' },
  // Its model provider is config.toml's, whose key and URL no OPENAI_* variable changes: a run may
  // still pass its own OPENAI_API_KEY to a tool.
  routingEnvPrefixes: ['CODEX_'],
  // `codex exec` has no turn or spend limit of its own, nor a fallback model.
  limits: { maxTurns: false, maxBudgetUsd: false, fallbackModel: false },
  // Its MCP tools reach the model as one `namespace` tool, which the OpenAI stand-in does not answer
  // yet: no server is given to it (docs/agents.md).
  mcpServers: false,
  asksForToken: false,
};
