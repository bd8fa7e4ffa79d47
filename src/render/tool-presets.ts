// The tool presets (minimal, default, advanced): which local MCP servers and remote tools an agent
// gets and which Claude tool permissions come with them. They live in the template directory
// (tool-presets.yaml) rather than in code so that they are hot-reloaded and reviewed with the
// templates that use them.
import { parse } from 'yaml';
import { isRemoteMcp, type McpServer, type ToolConfig } from '../api/index.js';
import { WORKSPACE_ROOT } from '../naming/index.js';
import { isPlainObject } from '../util/index.js';
import { RenderError } from './errors.js';

export const PRESETS: readonly ToolConfig[] = ['minimal', 'default', 'advanced'];
export const TOOL_PRESETS_FILE = 'tool-presets.yaml';

export interface LocalServer {
  command: string;
  args: string[];
  env: Record<string, string>;
}
export interface Preset {
  local: string[];
  remote: string[];
  allow: string[];
  deny: string[];
}
export interface ToolPresets {
  /** The MCP server (streamable HTTP) serving remote tools; its name prefixes their permissions. */
  remote: { server: string; url: string };
  localServers: Record<string, LocalServer>;
  presets: Record<ToolConfig, Preset>;
}

const NAME = /^[A-Za-z0-9_-]+$/;
const isStrings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

/** Whether a value names a path on the workspace volume, which outlives the run (docs/security.md). */
const onWorkspace = (value: unknown) =>
  typeof value === 'string' && (value === WORKSPACE_ROOT || value.startsWith(`${WORKSPACE_ROOT}/`));

/** Parses tool-presets.yaml; every problem is listed, none is thrown. */
export function parseToolPresets(text: string): { presets?: ToolPresets; problems: string[] } {
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return { problems: [`${TOOL_PRESETS_FILE}: ${(err as Error).message.split('\n')[0]}`] };
  }
  const at = (path: string, what: string) => problems.push(`${TOOL_PRESETS_FILE}: ${path}: ${what}`);
  if (!isPlainObject(doc)) return { problems: [`${TOOL_PRESETS_FILE}: must be a mapping`] };
  const remote = doc.remote;
  if (!isPlainObject(remote) || typeof remote.url !== 'string' || typeof remote.server !== 'string')
    at('remote', 'must have server and url strings');
  else if (!NAME.test(remote.server)) at('remote.server', 'must match [A-Za-z0-9_-]+');
  const servers = isPlainObject(doc.localServers) ? doc.localServers : {};
  if (!isPlainObject(doc.localServers)) at('localServers', 'must be a mapping');
  for (const [name, s] of Object.entries(servers)) {
    if (!NAME.test(name)) at(`localServers.${name}`, 'name must match [A-Za-z0-9_-]+');
    if (isPlainObject(remote) && name === remote.server)
      at(`localServers.${name}`, "has the remote server's name (their permissions would mix)");
    if (!isPlainObject(s) || typeof s.command !== 'string' || !isStrings(s.args ?? []))
      at(`localServers.${name}`, 'must have a command string and an args list of strings');
    else if (
      s.env !== undefined &&
      !(isPlainObject(s.env) && Object.values(s.env).every((v) => typeof v === 'string'))
    )
      at(`localServers.${name}.env`, 'must map names to strings');
    else
      for (const [key, value] of Object.entries(s.env ?? {}))
        if (onWorkspace(value))
          at(
            `localServers.${name}.env.${key}`,
            `a server's state may not live on the workspace volume (${WORKSPACE_ROOT}): later runs mount it, and their agents would read what this one left (keep it in the container's own /tmp)`,
          );
  }
  const presets = isPlainObject(doc.presets) ? doc.presets : {};
  for (const name of PRESETS) {
    const p = presets[name];
    if (!isPlainObject(p)) {
      at(`presets.${name}`, 'is missing');
      continue;
    }
    for (const list of ['local', 'remote', 'allow', 'deny'])
      if (!isStrings(p[list] ?? [])) at(`presets.${name}.${list}`, 'must be a list of strings');
    for (const local of isStrings(p.local) ? p.local : [])
      if (!Object.hasOwn(servers, local)) at(`presets.${name}.local`, `"${local}" is not in localServers`);
  }
  if (problems.length) return { problems };
  const normalised = structuredClone(doc) as unknown as ToolPresets;
  for (const s of Object.values(normalised.localServers)) {
    s.args ??= [];
    s.env ??= {};
  }
  for (const name of PRESETS) {
    const p = normalised.presets[name];
    for (const list of ['local', 'remote', 'allow', 'deny'] as const) p[list] ??= [];
  }
  return { presets: normalised, problems };
}

/** The local MCP servers a run may name (localTools): those of `text`, a tool-presets.yaml. */
export function localToolNames(text: string): string[] {
  const { presets, problems } = parseToolPresets(text);
  if (!presets) throw new Error(problems.join('; '));
  return Object.keys(presets.localServers);
}

/** What one run gets: its preset plus the run's extra tools, with the permissions that enable them. */
export interface ResolvedTools {
  preset: ToolConfig;
  local: Array<{ name: string } & LocalServer>;
  remote: string[];
  remoteServer: { name: string; url: string } | null;
  /**
   * The team's servers over HTTP (docs/tools.md), as every CLI's MCP config takes them: a header from a
   * Secret is `${VARIABLE}`, expanded by the CLI from the agent container's environment.
   */
  teamRemote: Array<{ name: string; type: 'http' | 'sse'; url: string; headers: Record<string, string> }>;
  allow: string[];
  deny: string[];
}

const unique = (list: string[]) => [...new Set(list)];

/**
 * A team server may not take a name of the presets' servers: the CLIs key their MCP config by name, so
 * one would silently replace the other, and their permissions would mix.
 */
function teamNameClash(catalog: ToolPresets, team: readonly McpServer[]): void {
  const taken = [...Object.keys(catalog.localServers), catalog.remote.server];
  const clash = team.filter((s) => taken.includes(s.name));
  if (clash.length)
    throw new RenderError(
      `MCP server(s) ${clash.map((s) => `${s.name} (controller config ${s.origin})`).join(', ')} take a name of the tool presets' servers (${taken.join(', ')}); rename them`,
    );
}

export function resolveTools(
  catalog: ToolPresets,
  preset: ToolConfig,
  extraLocal: readonly string[] = [],
  extraRemote: readonly string[] = [],
  team: readonly McpServer[] = [],
): ResolvedTools {
  const base = catalog.presets[preset];
  const localNames = unique([...base.local, ...extraLocal]);
  const unknown = localNames.filter((n) => !Object.hasOwn(catalog.localServers, n));
  if (unknown.length) {
    throw new RenderError(
      `unknown local tool(s) ${unknown.join(', ')}; known: ${Object.keys(catalog.localServers).join(', ')}`,
    );
  }
  teamNameClash(catalog, team);
  // The team's stdio servers run as the presets' do: the entry script checks their commands too.
  const local = [
    ...localNames.map((name) => ({ name, ...(catalog.localServers[name] as LocalServer) })),
    ...team.flatMap((s) =>
      isRemoteMcp(s) ? [] : [{ name: s.name, command: s.command, args: s.args, env: s.env }],
    ),
  ];
  const teamRemote = team
    .filter(isRemoteMcp)
    .map(({ name, transport, url, headers }) => ({ name, type: transport, url, headers }));
  const remote = unique([...base.remote, ...extraRemote]);
  const server = catalog.remote.server;
  return {
    preset,
    local,
    remote,
    remoteServer: remote.length ? { name: server, url: catalog.remote.url } : null,
    teamRemote,
    // Claude names MCP tools mcp__{server}__{tool}; allowing a server name allows all its tools.
    allow: unique([
      ...base.allow,
      ...localNames.map((n) => `mcp__${n}`),
      ...remote.map((t) => `mcp__${server}__${t}`),
      ...team.map((s) => `mcp__${s.name}`),
    ]),
    deny: unique(base.deny),
  };
}
