// Google's Gemini CLI (`gemini`, @google/gemini-cli): non-interactive with --prompt, against the
// Gemini API's generateContent and streamGenerateContent, its base URL set by GOOGLE_GEMINI_BASE_URL
// to the gateway's Gemini route and its key variable holding the attempt's token. Its run-time part is
// templates/agent-shell/cli-gemini.sh; docs/agents.md "gemini".
import { type AgentCli, PROVIDER_PATHS } from './contract.js';

export const gemini: AgentCli = {
  name: 'gemini',
  command: 'gemini',
  provider: 'gemini',
  // The SDK appends the version and the model's path (/v1beta/models/{model}:generateContent).
  gatewayPath: PROVIDER_PATHS.gemini,
  // No apiKey: it runs through the gateway only.
  env: { gatewayUrl: 'GOOGLE_GEMINI_BASE_URL', gatewayToken: 'GEMINI_API_KEY' },
  // Its key, base URL, and the switches to Vertex AI or another Google credential.
  routingEnvPrefixes: [
    'GEMINI_',
    'GOOGLE_GEMINI_',
    'GOOGLE_GENAI_',
    'GOOGLE_API_KEY',
    'GOOGLE_CLOUD_',
    'GOOGLE_APPLICATION_CREDENTIALS',
  ],
  // The CLI's model.maxSessionTurns setting ends a session after that many turns; no spend limit.
  limits: { maxTurns: true, maxBudgetUsd: false, fallbackModel: false },
  mcpServers: true,
  asksForToken: false,
};
