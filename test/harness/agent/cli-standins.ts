// The model stand-in of a CLI other than Claude Code (docs/agents.md), for the real-node suite: the
// provider's API the CLI calls through the gateway (test/harness/remote/openai-standin.ts,
// gemini-standin.ts), listening on the node's gateway address, scripted in the CLI's own tool: its
// shell tool as the real CLI offers it (the names and arguments are the pinned CLIs', seen in their
// requests), and every answer billing the same usage.
import type { Test } from 'tap';
import type { AgentCliName } from '../../../src/agent-cli/index.js';
import { GeminiStandin, type GeminiTurn } from '../remote/gemini-standin.js';
import { OpenaiStandin, type OpenaiTurn } from '../remote/openai-standin.js';
import { NODE_GATEWAY } from './agent-e2e.js';

export type OtherCli = Exclude<AgentCliName, 'claude'>;

/** One scripted answer: a shell command the CLI runs, a call of another tool it offers, or its last words. */
export type CliTurn = { shell: string } | { tool: string; args: Record<string, unknown> } | { say: string };

/** What each answer bills: the input (the cached part within it) and the output tokens. */
export interface CliBill {
  input: number;
  cached: number;
  output: number;
}

export interface CliStandin {
  url: string;
  /** The requests it got: their body, status and what the body lacked of the SDK's shapes. */
  requests(): { body: unknown; status: number; problems: string[] }[];
  /** The usage billed over every answer, summed. */
  billed(): CliBill;
}

const openaiTurn = (turn: CliTurn): OpenaiTurn =>
  'shell' in turn
    ? { call: 'exec_command', arguments: { cmd: turn.shell } }
    : 'tool' in turn
      ? { call: turn.tool, arguments: turn.args }
      : { text: turn.say };

const geminiTurn = (turn: CliTurn): GeminiTurn =>
  'shell' in turn
    ? { call: 'run_shell_command', args: { command: turn.shell, description: 'edit the repository' } }
    : 'tool' in turn
      ? { call: turn.tool, args: turn.args }
      : { text: turn.say };

/** The stand-in of `cli`'s provider, checking `apiKey`, answering `script` in order. */
export async function cliStandin(
  t: Test,
  cli: OtherCli,
  apiKey: string,
  script: CliTurn[],
  bill: CliBill,
): Promise<CliStandin> {
  const standin =
    cli === 'codex'
      ? new OpenaiStandin({
          apiKey,
          script: script.map(openaiTurn),
          usage: {
            input_tokens: bill.input,
            input_tokens_details: { cached_tokens: bill.cached, cache_write_tokens: 0 },
            output_tokens: bill.output,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: bill.input + bill.output,
          },
        })
      : new GeminiStandin({
          apiKey,
          script: script.map(geminiTurn),
          usage: {
            promptTokenCount: bill.input,
            cachedContentTokenCount: bill.cached,
            candidatesTokenCount: bill.output,
            totalTokenCount: bill.input + bill.output,
          },
        });
  const url = await standin.listen(NODE_GATEWAY);
  t.teardown(() => standin.close());
  return { url, requests: () => standin.requests, billed: () => standin.billed() };
}
