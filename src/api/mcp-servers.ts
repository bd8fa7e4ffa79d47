// The team's own MCP servers (docs/tools.md): which a run gets (its profile's, then those of the
// config's groups that cover its namespace and agent), and the variable each header taken from a
// Secret reaches the agent container as. One function for admission (which asks RBAC about the
// Secrets), rendering (the CLIs' MCP config) and the Job builder (the variables), so the three agree.
import type { AgentProfile, ControllerConfig } from './types.js';

/** One server as the config declares it (agents.<name>.mcpServers, mcpServers[].servers). */
export type McpServerConfig = NonNullable<AgentProfile['mcpServers']>[string];
type Group = ControllerConfig['mcpServers'][number];

/** A header whose value is a Secret's key: the variable of the agent container that carries it. */
export interface McpSecretHeader {
  header: string;
  env: string;
  secretKeyRef: { name: string; key: string };
}

interface Resolved {
  name: string;
  /** Where the config declares it, for messages. */
  origin: string;
}
export interface McpStdioServer extends Resolved {
  command: string;
  args: string[];
  env: Record<string, string>;
}
export interface McpRemoteServer extends Resolved {
  url: string;
  transport: 'http' | 'sse';
  /** Each header's value as the CLIs' config holds it: a literal, or `${VARIABLE}` for a Secret's. */
  headers: Record<string, string>;
  secrets: McpSecretHeader[];
}
export type McpServer = McpStdioServer | McpRemoteServer;

export const isRemoteMcp = (s: McpServer): s is McpRemoteServer => 'url' in s;

/** The prefix of the variables carrying Secret headers: the operator's (ORCHESTRATOR_), so no run sets one. */
export const MCP_HEADER_ENV_PREFIX = 'ORCHESTRATOR_MCP_';

const envPart = (name: string) => name.toUpperCase().replace(/[^A-Z0-9]/g, '_');

/**
 * The variable of the run's `ordinal`-th Secret header (1-based): the ordinal keeps two servers whose
 * names differ only in - and _ apart; the names keep `kubectl describe` readable.
 */
export const mcpHeaderEnv = (ordinal: number, server: string, header: string): string =>
  `${MCP_HEADER_ENV_PREFIX}${ordinal}_${envPart(server)}_${envPart(header)}`;

/** Whether a group of mcpServers covers a run of `agent` in `namespace` (neither list: every one). */
function groupCovers(group: Pick<Group, 'namespaces' | 'agents'>, namespace: string, agent: string) {
  const namespaces = group.namespaces ?? [];
  const agents = group.agents ?? [];
  return (
    (namespaces.length === 0 || namespaces.includes(namespace)) &&
    (agents.length === 0 || agents.includes(agent))
  );
}

/** The servers a run of `agent` in `namespace` gets, profile's first, each name once (config rules keep them apart). */
export function mcpServersOf(
  config: ControllerConfig,
  agent: string | undefined,
  namespace: string,
): McpServer[] {
  if (agent === undefined || !Object.hasOwn(config.agents, agent)) return [];
  const declared: Array<[string, string, McpServerConfig]> = Object.entries(
    config.agents[agent]?.mcpServers ?? {},
  ).map(([name, server]) => [name, `agents.${agent}.mcpServers.${name}`, server]);
  (config.mcpServers ?? []).forEach((group, i) => {
    if (!groupCovers(group, namespace, agent)) return;
    for (const [name, server] of Object.entries(group.servers))
      declared.push([name, `mcpServers[${i}].servers.${name}`, server]);
  });
  const seen = new Set<string>();
  let ordinal = 0;
  const servers: McpServer[] = [];
  for (const [name, origin, server] of declared) {
    if (seen.has(name)) continue;
    seen.add(name);
    if (server.url === undefined) {
      servers.push({
        name,
        origin,
        command: server.command ?? '',
        args: server.args ?? [],
        env: server.env ?? {},
      });
      continue;
    }
    const headers: Record<string, string> = {};
    const secrets: McpSecretHeader[] = [];
    for (const [header, value] of Object.entries(server.headers ?? {})) {
      if (value.secretKeyRef) {
        ordinal += 1;
        const env = mcpHeaderEnv(ordinal, name, header);
        headers[header] = `\${${env}}`;
        secrets.push({
          header,
          env,
          secretKeyRef: { name: value.secretKeyRef.name, key: value.secretKeyRef.key },
        });
      } else headers[header] = value.value ?? '';
    }
    servers.push({ name, origin, url: server.url, transport: server.transport ?? 'http', headers, secrets });
  }
  return servers;
}
