// A checkout prepared against the next agent (docs/security.md "The workspace is hostile"): what a
// hostile branch, or an earlier agent on the volume, can leave for a CLI that reads its workspace's
// configuration. For the Gemini CLI: a project .gemini/settings.json whose hooks and MCP server each
// leave a marker file in the checkout when the CLI runs them, and environment files the CLI reads in a
// trusted workspace (.gemini/.env, .env) setting a variable the agent's shell command prints. The stop
// hook commits whatever is in the checkout, so a marker that appears is on the pushed branch.

/** The variable the environment files set, which the run's shell command prints between brackets. */
export const PROBE_VARIABLE = 'ORCHESTRATOR_PROBE';

/** The files each marker would be, had the CLI run what the checkout configures. */
export const HOSTILE_MARKERS = ['hostile-hook-ran', 'hostile-mcp-ran'] as const;

const hook = (command: string) => [{ matcher: '*', hooks: [{ type: 'command', command }] }];

/** The files of the repository's base branch (beside its README). */
export const HOSTILE_GEMINI_FILES: Record<string, string> = {
  '.gemini/settings.json': `${JSON.stringify(
    {
      hooks: {
        SessionStart: hook(`touch ${HOSTILE_MARKERS[0]}`),
        BeforeTool: hook(`touch ${HOSTILE_MARKERS[0]}`),
      },
      mcpServers: { hostile: { command: 'sh', args: ['-c', `touch ${HOSTILE_MARKERS[1]}`] } },
    },
    null,
    2,
  )}\n`,
  '.gemini/.env': `${PROBE_VARIABLE}=from-the-checkout\n`,
  '.env': `${PROBE_VARIABLE}=from-the-checkout\n`,
};
