import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { presetsWith, SEED_TOOL_NAMES, seedToolTable } from '../../test/harness/agent/mcp-probe.js';
import type { McpServer } from '../api/index.js';
import { packageRoot } from '../util/package-root.js';
import { PRESETS, parseToolPresets, resolveTools, TOOL_PRESETS_FILE } from './tool-presets.js';

const shipped = parseToolPresets(readFileSync(join(packageRoot(), 'templates', TOOL_PRESETS_FILE), 'utf8'));

t.test(
  'no shipped preset sends a run to the remote tool server, which the package does not ship',
  async (t) => {
    t.same(shipped.problems, []);
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    for (const preset of PRESETS) {
      const tools = resolveTools(presets, preset, [], []);
      t.same(tools.remote, [], preset);
      t.equal(tools.remoteServer, null, `${preset}: no MCP server configured`);
    }
  },
);

/**
 * Each shipped stdio server's command, and the npm package whose bin it is (the package's own
 * package.json `bin`, checked when the command was added): a new server needs its package here and in
 * the image, or this fails.
 */
const COMMAND_PACKAGES: Record<string, string> = {
  'mcp-server-filesystem': '@modelcontextprotocol/server-filesystem',
  'git-mcp-server': '@cyanheads/git-mcp-server',
  'mcp-server-memory': '@modelcontextprotocol/server-memory',
  'mcp-server-sequential-thinking': '@modelcontextprotocol/server-sequential-thinking',
  'mcp-fetch-server': 'mcp-fetch-server',
};

t.test(
  'every stdio server a preset names is installed in the agent image (images/agent/Dockerfile)',
  async (t) => {
    const dockerfile = readFileSync(join(packageRoot(), 'images', 'agent', 'Dockerfile'), 'utf8');
    // The packages of its `npm install --global` lines, pinned as "name@${VERSION}".
    const installed = [...dockerfile.matchAll(/"(@?[a-z0-9-]+(?:\/[a-z0-9-]+)?)@\$\{[A-Z_]+\}"/g)].map(
      (m) => m[1],
    );
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    const named = new Set(PRESETS.flatMap((p) => presets.presets[p].local));
    t.ok(named.size >= 5, 'the presets name the shipped servers');
    for (const name of named) {
      const command = presets.localServers[name]?.command ?? '';
      const pkg = COMMAND_PACKAGES[command];
      t.ok(pkg, `${name}: its command ${command} is a known package's bin`);
      t.ok(pkg && installed.includes(pkg), `${name}: ${pkg} is installed by the agent image`);
    }
  },
);

t.test(
  "the agent image fills Node's compile cache for every stdio server a preset names, and no other",
  async (t) => {
    const script = readFileSync(join(packageRoot(), 'images', 'agent', 'warm-compile-cache.sh'), 'utf8');
    // Its `warm [env NAME=value …] command …` lines: the command is the first word not an assignment.
    const warmed = [...script.matchAll(/^warm (.+)$/gm)].map(
      (m) => (m[1] ?? '').split(' ').filter((w) => w !== 'env' && !w.includes('='))[0],
    );
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    const named = new Set(PRESETS.flatMap((p) => presets.presets[p].local));
    const commands = [...named].map((name) => presets.localServers[name]?.command ?? name);
    t.same([...warmed].sort(), [...new Set(commands)].sort());
  },
);

t.test(
  "docs/tools.md maps each of the seeds' tool names to a server in exactly the presets it names, or says why not",
  async (t) => {
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    const rows = seedToolTable();
    t.same(rows.map((r) => r.seed).sort(), [...SEED_TOOL_NAMES].sort(), 'one row per seed tool name');
    for (const row of rows) {
      if (row.server === null) {
        t.match(row.note, /^not shipped: \S/, `${row.seed}: not shipped, and why`);
        t.same(row.presets, [], `${row.seed}: in no preset`);
        continue;
      }
      t.ok(presets.localServers[row.server], `${row.seed}: ${row.server} is a shipped server`);
      t.ok(row.tool, `${row.seed}: the tool of ${row.server} is named`);
      t.same(row.presets, presetsWith(presets, row.server), `${row.seed}: the presets with ${row.server}`);
    }
    // The seeds' default preset has the memory tool: so has this one.
    t.ok(presets.presets.default.local.includes('memory'));
  },
);

t.test(
  'the fetch server reads the egress proxy from the environment (Node fetch needs the switch)',
  async (t) => {
    const presets = shipped.presets;
    if (!presets) throw new Error('the shipped presets do not parse');
    t.same(presets.localServers.fetch?.env, { NODE_USE_ENV_PROXY: '1' });
    t.same(presetsWith(presets, 'fetch'), ['default', 'advanced'], 'minimal, which denies the web, has none');
  },
);

const team: McpServer[] = [
  { name: 'mine', origin: 'agents.rex.mcpServers.mine', command: 'my-mcp', args: ['--stdio'], env: {} },
  {
    name: 'jira',
    origin: 'mcpServers[0].servers.jira',
    url: 'https://jira.example.com/mcp',
    transport: 'sse',
    headers: { Authorization: `\${ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION}`, 'X-Team': 'payments' },
    secrets: [
      {
        header: 'Authorization',
        env: 'ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION',
        secretKeyRef: { name: 'jira-mcp', key: 'authorization' },
      },
    ],
  },
];

t.test("the team's servers: stdio beside the preset's, HTTP ones by URL, each allowed by name", async (t) => {
  const presets = shipped.presets;
  if (!presets) throw new Error('the shipped presets do not parse');
  const tools = resolveTools(presets, 'minimal', [], [], team);
  t.same(
    tools.local.map((s) => s.command),
    ['mcp-server-filesystem', 'my-mcp'],
    'the entry script checks the team command as it checks the presets',
  );
  t.same(tools.teamRemote, [
    {
      name: 'jira',
      type: 'sse',
      url: 'https://jira.example.com/mcp',
      headers: { Authorization: `\${ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION}`, 'X-Team': 'payments' },
    },
  ]);
  t.ok(tools.allow.includes('mcp__mine') && tools.allow.includes('mcp__jira'));
  t.throws(
    () => resolveTools(presets, 'minimal', [], [], [{ ...(team[0] as McpServer), name: 'git' }]),
    /MCP server\(s\) git \(controller config agents\.rex\.mcpServers\.mine\) take a name of the tool presets' servers/,
  );
});
