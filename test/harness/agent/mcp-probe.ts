// The presets' MCP servers as the agent image runs them, and the table of the seeds' tool names in
// docs/tools.md that says which server does each: read here by src/render/tool-presets.test.ts (each
// mapped server is in the presets the table names) and by the real-node suite, which runs each mapped
// server in the agent image (its tool is there) and the fetch server through the egress proxy.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PRESETS, TOOL_PRESETS_FILE, type ToolPresets } from '../../../src/render/index.js';
import { parseToolPresets } from '../../../src/render/tool-presets.js';
import { packageRoot } from '../../../src/util/package-root.js';

/** The shipped tool presets (templates/tool-presets.yaml); throws when they do not parse. */
export function shippedPresets(): ToolPresets {
  const { presets, problems } = parseToolPresets(
    readFileSync(join(packageRoot(), 'templates', TOOL_PRESETS_FILE), 'utf8'),
  );
  if (!presets) throw new Error(`the shipped tool presets do not parse: ${problems.join('; ')}`);
  return presets;
}

/**
 * Every MCP tool name the seeds use (003 "Tool presets" and its template data; 002's remoteTools
 * examples), and the seeds' one local server: the table must have a row for each, and only these.
 */
export const SEED_TOOL_NAMES = [
  'filesystem',
  'memory_create_entities',
  'brave-search_brave_web_search',
  'rustdocs_query_rust_docs',
  'github_create_issue',
  'kubernetes_listResources',
] as const;

export interface SeedToolRow {
  seed: string;
  /** The server here doing it, or null: not shipped. */
  server: string | null;
  tool: string | null;
  presets: string[];
  note: string;
}

const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);

/** The rows of docs/tools.md "The seeds' tool names"; throws naming a row that does not read. */
export function seedToolTable(): SeedToolRow[] {
  const doc = readFileSync(join(packageRoot(), 'docs', 'tools.md'), 'utf8');
  const section = doc.split(/^## /m).find((s) => s.startsWith("The seeds' tool names\n"));
  if (!section) throw new Error('docs/tools.md has no section "The seeds\' tool names"');
  const lines = section.split('\n').filter((l) => l.startsWith('| `'));
  return lines.map((line) => {
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const [seed, server, tool, presets, note] = cells;
    const [seedName] = code(seed ?? '');
    if (cells.length !== 5 || !seedName) throw new Error(`docs/tools.md: a row that does not read: ${line}`);
    const none = server === 'none';
    return {
      seed: seedName,
      server: none ? null : (code(server ?? '')[0] ?? null),
      tool: none ? null : (code(tool ?? '')[0] ?? null),
      presets: code(presets ?? ''),
      note: note ?? '',
    };
  });
}

/** The presets (of PRESETS) whose local servers include `server`. */
export const presetsWith = (presets: ToolPresets, server: string): string[] =>
  PRESETS.filter((p) => presets.presets[p].local.includes(server));

/**
 * A Node script (run by the image's node) that starts one stdio MCP server as the CLIs do (its
 * command, args and env over the container's environment), initializes, then either lists its tools
 * (`list`: prints `tools a b c`) or calls one (`call <tool> <json arguments>`: prints `ok <text>` or
 * `error <text>`, whitespace folded). Gives up after 90 s (the server may wait on DNS), printing
 * `timeout`.
 */
export const MCP_PROBE_SCRIPT = String.raw`
const { spawn } = require('node:child_process');
const [server, mode, tool, args] = process.argv.slice(2);
const s = JSON.parse(server);
const child = spawn(s.command, s.args, { env: { ...process.env, ...s.env }, stdio: ['pipe', 'pipe', 'ignore'] });
const send = (m) => child.stdin.write(JSON.stringify({ jsonrpc: '2.0', ...m }) + '\n');
const done = (line) => { console.log(line.replace(/\s+/g, ' ').trim()); child.kill(); process.exit(0); };
setTimeout(() => done('timeout'), 90000).unref();
let buffer = '';
child.stdout.on('data', (chunk) => {
  buffer += chunk;
  let at;
  while ((at = buffer.indexOf('\n')) >= 0) {
    const message = JSON.parse(buffer.slice(0, at));
    buffer = buffer.slice(at + 1);
    if (message.id === 1) {
      send({ method: 'notifications/initialized' });
      if (mode === 'list') send({ id: 2, method: 'tools/list' });
      else send({ id: 2, method: 'tools/call', params: { name: tool, arguments: JSON.parse(args) } });
    } else if (message.id === 2) {
      if (message.error) done('error ' + message.error.message);
      else if (mode === 'list') done('tools ' + message.result.tools.map((t) => t.name).join(' '));
      else done((message.result.isError ? 'error ' : 'ok ') + message.result.content.map((c) => c.text).join(' '));
    }
  }
});
child.on('exit', (code) => done('exited ' + code));
send({ id: 1, method: 'initialize', params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'probe', version: '1' } } });
`;

/** A bash command line running MCP_PROBE_SCRIPT (written to `file`) on one shipped server. */
export function mcpProbeCommand(
  presets: ToolPresets,
  server: string,
  file: string,
  call?: { tool: string; arguments: Record<string, unknown> },
): string {
  const s = presets.localServers[server];
  if (!s) throw new Error(`no local server ${server} in the shipped presets`);
  const quote = (v: string) => `'${v.replaceAll("'", `'\\''`)}'`;
  const mode = call ? ['call', call.tool, JSON.stringify(call.arguments)] : ['list'];
  return ['node', file, JSON.stringify(s), ...mode].map(quote).join(' ');
}
