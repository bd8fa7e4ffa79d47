// Anthropic's Claude Code CLI (`claude`, @anthropic-ai/claude-code): the first CLI, and the default.
// Its run-time part is templates/agent-shell/cli-claude.sh; docs/agents.md "claude".
import { type AgentCli, PROVIDER_PATHS } from './contract.js';

export const claude: AgentCli = {
  name: 'claude',
  command: 'claude',
  provider: 'anthropic',
  gatewayPath: PROVIDER_PATHS.anthropic,
  env: {
    apiKey: 'ANTHROPIC_API_KEY',
    gatewayUrl: 'ANTHROPIC_BASE_URL',
    gatewayToken: 'ANTHROPIC_AUTH_TOKEN',
  },
  routingEnvPrefixes: ['ANTHROPIC_', 'CLAUDE_CODE_USE_'],
  limits: { maxTurns: true, maxBudgetUsd: true, fallbackModel: true },
  mcpServers: true,
  asksForToken: true,
};
