// cli-gemini.sh's settings for the Gemini CLI: the rendered mcp.json's servers in the CLI's form (a
// server over HTTP names its URL httpUrl, its headers kept), and the memory file a context file of a
// name drawn per attempt, which no checkout can hold, and the repository's instructions (read from the
// base branch) a second one. The real CLI reading them runs in
// test/integration/agent-e2e.test.ts ("cli: gemini").
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';

const SCRIPT = join(import.meta.dirname, 'cli-gemini.sh');

/**
 * The settings cli-gemini.sh writes for a run whose rendered mcp.json is `mcp` (and whose base branch
 * had the `instructions`), and its home's files.
 */
function settings(
  mcp: unknown,
  instructions?: string,
): { settings: Record<string, unknown>; memoryLinks: string[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cli-gemini-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'mcp.json'), JSON.stringify(mcp));
  if (instructions !== undefined) writeFileSync(join(dir, 'instructions.md'), instructions);
  const script = `source "${SCRIPT}"; cli_private_dirs; MEMORY_FILE="$RENDERED_DIR/memory.md" cli_load_memory; gemini_settings`;
  const out = execFileSync('bash', ['-c', script], {
    encoding: 'utf8',
    env: {
      PATH: `${join(process.execPath, '..')}:${process.env.PATH}`,
      PRIVATE_DIR: dir,
      RENDERED_DIR: dir,
      MODEL: 'gemini-2.5-pro',
      REPOSITORY_INSTRUCTIONS: join(dir, 'instructions.md'),
    },
  });
  const links = readdirSync(join(dir, 'gemini', '.gemini')).filter((f) => f !== 'settings.json');
  return { settings: JSON.parse(out), memoryLinks: links.sort(), dir };
}

const fileNames = (s: Record<string, unknown>) => (s.context as { fileName: string[] }).fileName;

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
  const name = fileNames(first.settings);
  t.match(name, [/^orchestrator-([0-9a-f]{16})\.md$/, /^orchestrator-[0-9a-f]{16}-repository\.md$/]);
  t.same(first.memoryLinks, [name[0]], 'the private home holds the memory under the first name');
  t.equal(readlinkSync(join(first.dir, 'gemini', '.gemini', name[0] ?? '')), join(first.dir, 'memory.md'));
  t.not(name[0], fileNames(second.settings)[0], 'another attempt, another name');
});

t.test("the base branch's instructions, a context file of the second name", async (t) => {
  const { settings: s, memoryLinks, dir } = settings({ mcpServers: {} }, '# The repository\n');
  const [memory = '', instructions = ''] = fileNames(s);
  t.same(memoryLinks, [memory, instructions].sort());
  t.equal(readlinkSync(join(dir, 'gemini', '.gemini', instructions)), join(dir, 'instructions.md'));
});
