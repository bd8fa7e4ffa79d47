// The agent CLIs a profile can run (its `cli`, default claude), one module each, and the one table
// keyed by CLI that everything else derives from (docs/agents.md): the Job's model variables, the
// names a run may not set, the gateway's provider and path, what each CLI enforces itself.
// - contract.ts: what the platform needs to know of a CLI.
// - claude.ts: Anthropic's Claude Code CLI.
// - codex.ts: OpenAI's Codex CLI.
// - gemini.ts: Google's Gemini CLI.
import { claude } from './claude.js';
import { codex } from './codex.js';
import type { AgentCli } from './contract.js';
import { gemini } from './gemini.js';

export { type AgentCli, type CliLimits, PROVIDER_PATHS, type ProviderName } from './contract.js';
export { claude, codex, gemini };

/** Every CLI by its profile name; the schema's enum (agents.*.cli) lists the same names (a test checks). */
export const AGENT_CLIS = Object.freeze({ claude, codex, gemini }) satisfies Readonly<
  Record<string, AgentCli>
>;

export type AgentCliName = keyof typeof AGENT_CLIS;

/** The CLI a profile runs when it names none. */
export const DEFAULT_CLI: AgentCliName = 'claude';

/** The CLI of a profile's `cli` value (the schema admits only the table's names). */
export function agentCli(name: string | undefined): AgentCli {
  const cli = Object.hasOwn(AGENT_CLIS, name ?? DEFAULT_CLI)
    ? AGENT_CLIS[(name ?? DEFAULT_CLI) as AgentCliName]
    : undefined;
  if (!cli)
    throw new Error(
      `cli: ${JSON.stringify(name)} is not an agent CLI (${Object.keys(AGENT_CLIS).join(', ')})`,
    );
  return cli;
}

/** Every CLI, for what is derived across them (reserved names, token variables). */
export const ALL_CLIS: readonly AgentCli[] = Object.freeze(Object.values(AGENT_CLIS));
