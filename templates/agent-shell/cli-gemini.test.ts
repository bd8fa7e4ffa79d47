// cli-gemini.sh's settings for the Gemini CLI: the rendered mcp.json's servers in the CLI's form (a
// server over HTTP names its URL httpUrl, its headers kept), and the memory file a context file of a
// name drawn per attempt, which no checkout can hold. The real CLI reading them runs in
// test/integration/agent-e2e.test.ts ("cli: gemini").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const SCRIPT = join(import.meta.dirname, 'cli-gemini.sh');

/** The settings cli-gemini.sh writes for a run whose rendered mcp.json is `mcp`, and its home's files. */
function settings(mcp: unknown): { settings: Record<string, unknown>; memoryLinks: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-gemini-'));
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify(mcp));
  const script = `source "${SCRIPT}"; cli_private_dirs; MEMORY_FILE="$RENDERED_DIR/memory.md" cli_load_memory; gemini_settings`;
  const out = execFileSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: {
      PATH: `${join(process.execPath, '..')}:${process.env.PATH}`,
      PRIVATE_DIR: dir,
      RENDERED_DIR: dir,
      MODEL: 'gemini-2.5-pro',
    },
  });
  return { settings: JSON.parse(out), memoryLinks: readdirSync(join(dir, 'gemini', '.gemini')) };
}

t.test("the preset's MCP servers, an HTTP server by its httpUrl", async (t) => {
  const { settings: s } = settings({
    mcpServers: {
      filesystem: { command: 'mcp-server-filesystem', args: ['/workspace'], env: {} },
      tools: { type: 'http', url: 'http://tools.example/mcp', headers: { 'X-Orchestrator-Run': 'ns/run' } },
    },
  });
  t.same(s.mcpServers, {
    filesystem: { command: 'mcp-server-filesystem', args: ['/workspace'], env: {} },
    tools: { httpUrl: 'http://tools.example/mcp', headers: { 'X-Orchestrator-Run': 'ns/run' } },
  });
});

t.test("the team's servers: SSE by url and type, a Secret's header left for the CLI to expand", async (t) => {
  const header = { Authorization: `\${ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION}` };
  const { settings: s } = settings({
    mcpServers: {
      jira: { type: 'http', url: 'https://jira.example.com/mcp', headers: header },
      sentry: { type: 'sse', url: 'https://sentry.example.com/sse', headers: { 'X-Team': 'payments' } },
    },
  });
  t.same(s.mcpServers, {
    jira: { httpUrl: 'https://jira.example.com/mcp', headers: header },
    sentry: { type: 'sse', url: 'https://sentry.example.com/sse', headers: { 'X-Team': 'payments' } },
  });
});

t.test('the memory is a context file of a name drawn per attempt, linked in the private home', async (t) => {
  const first = settings({ mcpServers: {} });
  const second = settings({ mcpServers: {} });
  const name = (first.settings.context as { fileName: string[] }).fileName;
  t.match(name, [/^orchestrator-[0-9a-f]{16}\.md$/]);
  t.same(first.memoryLinks, name, 'the private home holds the memory under that name');
  t.not(
    name[0],
    (second.settings.context as { fileName: string[] }).fileName[0],
    'another attempt, another name',
  );
});
