// The tool preset's MCP servers in the Gemini CLI (docs/agents.md "tool presets, MCP servers";
// templates/agent-shell/cli-gemini.sh): the profile's preset (the shipped default's filesystem server)
// is in the CLI's settings, so the real CLI in the agent image starts the server, offers its tools to
// the model under its names (mcp_{server}_{tool}) and runs one the model calls.
import type { Test } from 'tap';
import type { CliTurn } from './cli-standins.js';

const TOOL = 'mcp_filesystem_list_allowed_directories';

/** The model's call of the filesystem server's tool, the Gemini run's first answer. */
export const GEMINI_MCP_TURN: CliTurn = { tool: TOOL, args: {} };

type Json = Record<string, unknown>;
const declared = (body: unknown): string[] =>
  (((body as Json)?.tools as Json[] | undefined) ?? []).flatMap((tool) =>
    ((tool.functionDeclarations as Json[] | undefined) ?? []).map((f) => String(f.name)),
  );

/** The first two requests of the run: the tool offered, then its answer (the server's directory). */
export function checkGeminiMcp(t: Test, requests: { body: unknown }[]): void {
  t.ok(declared(requests[0]?.body).includes(TOOL), `the CLI offered the server's tool ${TOOL}`);
  const answer = JSON.stringify(requests[1]?.body ?? '');
  t.match(
    answer,
    /"functionResponse":\{[^}]*"name":"mcp_filesystem_list_allowed_directories"/,
    'the call went back as its function response',
  );
  t.match(answer, '/workspace', "and ran it: the server's answer names the directory the preset gives it");
}
