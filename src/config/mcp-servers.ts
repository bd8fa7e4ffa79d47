// The team MCP servers' rules a schema cannot say (docs/tools.md): each server either a command or a
// URL, a header either a literal or a Secret's key, only for agents whose CLI takes MCP servers, one
// server of a name per run, and a URL whose host and port the agent's egress allowlist allows, so that
// no server is declared that the proxy would refuse.
import { agentCli } from '../agent-cli/index.js';
import type { ControllerConfig, McpServerConfig } from '../api/index.js';
import { WORKSPACE_ROOT } from '../naming/index.js';
import { error, type Finding } from '../validation/index.js';
import { DEFAULT_ALLOWLIST } from './egress.js';

type Allowlist = ControllerConfig['egress']['allowlists'][string];

/** The problems of one server's shape, at `at` (its path in the config). */
function shapeFindings(at: string, server: McpServerConfig): Finding[] {
  const findings: Finding[] = [];
  const stdio = server.command !== undefined;
  if (stdio === (server.url !== undefined))
    findings.push(
      error(
        'config',
        at,
        'Invalid value: give exactly one of command (a stdio server) and url (a server over HTTP)',
      ),
    );
  const forbidden = stdio ? (['transport', 'headers'] as const) : (['args', 'env'] as const);
  for (const field of forbidden)
    if (server[field] !== undefined)
      findings.push(
        error(
          'config',
          `${at}.${field}`,
          `Forbidden: only a ${stdio ? 'server over HTTP (url)' : 'stdio server (command)'} has ${field}`,
        ),
      );
  for (const [name, value] of Object.entries(server.env ?? {}))
    if (value === WORKSPACE_ROOT || value.startsWith(`${WORKSPACE_ROOT}/`))
      findings.push(
        error(
          'config',
          `${at}.env.${name}`,
          `Invalid value: a server's state may not live on the workspace volume (${WORKSPACE_ROOT}): later runs mount it, and their agents would read what this one left`,
        ),
      );
  for (const [name, header] of Object.entries(server.headers ?? {})) {
    const field = `${at}.headers.${name}`;
    if ((header.value === undefined) === (header.secretKeyRef === undefined))
      findings.push(error('config', field, 'Invalid value: give exactly one of value and secretKeyRef'));
    // The CLIs expand ${VAR} in their MCP config: a literal with $ would be read as a variable.
    else if (header.value?.includes('$'))
      findings.push(
        error(
          'config',
          `${field}.value`,
          'Invalid value: a literal header may not contain $ (the CLIs expand it as a variable); put such a value in a Secret (secretKeyRef)',
        ),
      );
  }
  return findings;
}

/** The port a URL goes to (its own, else its scheme's). */
const urlPort = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** Whether the allowlist lets a request reach `host`:`port`: through the proxy, or a Service directly. */
function allows(allowlist: Allowlist, host: string, port: number): boolean {
  const viaProxy = (allowlist.hosts ?? []).some((entry) => {
    const named = entry.host.startsWith('*.')
      ? host === entry.host.slice(2) || host.endsWith(entry.host.slice(1))
      : host === entry.host;
    return named && (entry.ports ?? [443]).includes(port);
  });
  // A Service of no namespace is the run's, by its short name; of one, by its names in that namespace.
  const direct = (allowlist.services ?? []).some((s) => {
    const names = s.namespace
      ? [
          `${s.name}.${s.namespace}`,
          `${s.name}.${s.namespace}.svc`,
          `${s.name}.${s.namespace}.svc.cluster.local`,
        ]
      : [s.name];
    return names.includes(host) && s.port === port;
  });
  return viaProxy || direct;
}

/** Whether the agent's egress lets it reach the server's URL; a finding naming the host otherwise. */
function egressFinding(
  config: ControllerConfig,
  at: string,
  url: string,
  agent: string,
): Finding | undefined {
  if (!config.egress.enabled) return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return error('config', `${at}.url`, `Invalid value: ${JSON.stringify(url)}: not a URL`);
  }
  const allowlist = config.agents[agent]?.egressAllowlist ?? DEFAULT_ALLOWLIST;
  const list = config.egress.allowlists[allowlist];
  if (!list) return undefined; // egressFindings names the missing allowlist
  const host = parsed.hostname.toLowerCase();
  const port = urlPort(parsed);
  if (allows(list, host, port)) return undefined;
  return error(
    'config',
    `${at}.url`,
    `Forbidden: ${host} port ${port} is not allowed by egress allowlist ${allowlist} of agent ${agent}: the egress proxy would refuse the server; add the host to egress.allowlists.${allowlist}.hosts (with its port) or the Service to its services (docs/agent-pods.md "Egress")`,
  );
}

const overlaps = (a: readonly string[] = [], b: readonly string[] = []) =>
  a.length === 0 || b.length === 0 || a.some((x) => b.includes(x));

export function mcpServerFindings(config: ControllerConfig): Finding[] {
  const findings: Finding[] = [];
  const agents = Object.keys(config.agents);
  const withoutMcp = agents.filter((a) => !agentCli(config.agents[a]?.cli).mcpServers);
  const check = (at: string, server: McpServerConfig, reaching: string[]) => {
    findings.push(...shapeFindings(at, server));
    if (server.url === undefined) return;
    for (const agent of reaching) {
      const found = egressFinding(config, at, server.url, agent);
      if (found) findings.push(found);
    }
  };
  for (const [agent, profile] of Object.entries(config.agents)) {
    const servers = Object.entries(profile.mcpServers ?? {});
    if (servers.length > 0 && withoutMcp.includes(agent))
      findings.push(
        error(
          'config',
          `agents.${agent}.mcpServers`,
          `Forbidden: the ${agentCli(profile.cli).name} CLI is given no MCP servers (docs/agents.md); leave it unset`,
        ),
      );
    for (const [name, server] of servers) check(`agents.${agent}.mcpServers.${name}`, server, [agent]);
  }
  const groups = config.mcpServers ?? [];
  groups.forEach((group, i) => {
    const at = `mcpServers[${i}]`;
    (group.agents ?? []).forEach((agent, j) => {
      if (!Object.hasOwn(config.agents, agent))
        findings.push(
          error(
            'config',
            `${at}.agents[${j}]`,
            `Invalid value: "${agent}": not one of the agents (${agents.join(', ')})`,
          ),
        );
      else if (withoutMcp.includes(agent))
        findings.push(
          error(
            'config',
            `${at}.agents[${j}]`,
            `Forbidden: "${agent}" runs the ${agentCli(config.agents[agent]?.cli).name} CLI, which is given no MCP servers (docs/agents.md)`,
          ),
        );
    });
    // Nothing is silently left out: a group for every agent must not reach one its servers would miss.
    if ((group.agents ?? []).length === 0 && withoutMcp.length > 0)
      findings.push(
        error(
          'config',
          `${at}.agents`,
          `Required value: agent(s) ${withoutMcp.join(', ')} run a CLI given no MCP servers (docs/agents.md): name the agents this group is for`,
        ),
      );
    const reaching = (group.agents?.length ? group.agents : agents).filter((a) =>
      Object.hasOwn(config.agents, a),
    );
    for (const [name, server] of Object.entries(group.servers)) {
      check(`${at}.servers.${name}`, server, reaching);
      for (const agent of reaching)
        if (Object.hasOwn(config.agents[agent]?.mcpServers ?? {}, name))
          findings.push(
            error(
              'config',
              `${at}.servers.${name}`,
              `Duplicate value: agent ${agent} has a server of this name (agents.${agent}.mcpServers.${name}); a run gets one server of a name`,
            ),
          );
      for (let k = 0; k < i; k++) {
        const other = groups[k];
        if (
          other &&
          Object.hasOwn(other.servers, name) &&
          overlaps(other.namespaces, group.namespaces) &&
          overlaps(other.agents, group.agents)
        )
          findings.push(
            error(
              'config',
              `${at}.servers.${name}`,
              `Duplicate value: mcpServers[${k}] has a server of this name for some of the same runs; a run gets one server of a name`,
            ),
          );
      }
    }
  });
  return findings;
}
