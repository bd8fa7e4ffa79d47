// The team MCP servers' rules (mcp-servers.ts), each naming the key and the rule: a command or a URL,
// a header a literal or a Secret's key, only agents whose CLI takes MCP servers, one server of a name
// per run, and a host the agent's egress allowlist allows.
import t from 'tap';
import { mcpServersOf } from '../api/index.js';
import { ConfigError, configFrom, loadDefaultConfig } from './load.js';

const base = loadDefaultConfig();
const load = (change: Record<string, unknown>) => configFrom({ ...base, ...change });
const withRex = (mcpServers: unknown, more: Record<string, unknown> = {}) =>
  load({ agents: { ...base.agents, rex: { ...base.agents.rex, mcpServers } }, ...more });
/** The findings' messages of a config refused; none when it loads. */
const problems = (make: () => unknown): string[] => {
  try {
    make();
    return [];
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    return err.findings.map((f) => `${f.path}: ${f.message}`);
  }
};
const secret = { secretKeyRef: { name: 'jira-mcp', key: 'authorization' } };
const jira = { url: 'https://jira.example.com/mcp', headers: { Authorization: secret } };
const allowJira = {
  egress: {
    ...base.egress,
    allowlists: { default: { port: 3128, hosts: [{ host: 'jira.example.com' }, { host: '*.sentry.io' }] } },
  },
};

t.test(
  'a server over HTTP whose host the allowlist names loads; one it does not is refused, naming host and allowlist',
  async (t) => {
    t.same(
      problems(() => withRex({ jira }, allowJira)),
      [],
    );
    t.same(
      problems(() => withRex({ sentry: { url: 'https://eu.sentry.io/mcp', transport: 'sse' } }, allowJira)),
      [],
      'a *. entry covers names under it',
    );
    const refused = problems(() => withRex({ jira }));
    t.equal(refused.length, 1);
    t.match(
      refused[0],
      /^agents\.rex\.mcpServers\.jira\.url: Forbidden: jira\.example\.com port 443 is not allowed by egress allowlist default of agent rex/,
    );
    t.match(
      problems(() => withRex({ jira: { url: 'https://jira.example.com:8443/mcp' } }, allowJira))[0],
      /port 8443 is not allowed/,
      'the port counts: the entry allows 443 only',
    );
    t.same(
      problems(() => withRex({ jira }, { egress: { ...base.egress, enabled: false } })),
      [],
      'with egress off, any host (the choice is logged as a protection off)',
    );
  },
);

t.test('a Service of the allowlist is reached by its names and port', async (t) => {
  const egress = {
    ...base.egress,
    allowlists: {
      default: {
        port: 3128,
        services: [
          { name: 'docs-mcp', namespace: 'tools', port: 8080 },
          { name: 'local-mcp', port: 9000 },
        ],
      },
    },
  };
  for (const url of [
    'http://docs-mcp.tools:8080/mcp',
    'http://docs-mcp.tools.svc.cluster.local:8080/mcp',
    'http://local-mcp:9000/mcp',
  ])
    t.same(
      problems(() => withRex({ docs: { url } }, { egress })),
      [],
      url,
    );
  t.match(
    problems(() => withRex({ docs: { url: 'http://docs-mcp.tools:9090/mcp' } }, { egress }))[0],
    /not allowed/,
  );
});

t.test(
  'the shape: one of command and url, each with its own fields, a header one of value and secretKeyRef',
  async (t) => {
    t.same(
      problems(() => withRex({ mine: { command: 'my-mcp', args: ['--stdio'], env: { LEVEL: 'warn' } } })),
      [],
    );
    t.match(
      problems(() => withRex({ both: { command: 'x', url: 'https://jira.example.com/mcp' } }, allowJira)),
      [/^agents\.rex\.mcpServers\.both: Invalid value: give exactly one of command .* and url/],
    );
    t.match(
      problems(() => withRex({ neither: {} })),
      [/exactly one of command/],
    );
    t.match(
      problems(() => withRex({ s: { command: 'x', headers: { A: { value: 'b' } } } })),
      [/^agents\.rex\.mcpServers\.s\.headers: Forbidden: only a server over HTTP \(url\) has headers/],
    );
    t.match(
      problems(() => withRex({ h: { url: 'https://jira.example.com/mcp', env: { A: 'b' } } }, allowJira)),
      [/mcpServers\.h\.env: Forbidden: only a stdio server/],
    );
    t.match(
      problems(() =>
        withRex(
          { h: { url: 'https://jira.example.com/mcp', headers: { A: { value: 'x', ...secret } } } },
          allowJira,
        ),
      ),
      [/mcpServers\.h\.headers\.A: Invalid value: give exactly one of value and secretKeyRef/],
    );
    t.match(
      problems(() =>
        withRex(
          { h: { url: 'https://jira.example.com/mcp', headers: { A: { value: `Bearer \${TOKEN}` } } } },
          allowJira,
        ),
      ),
      [/headers\.A\.value: Invalid value: a literal header may not contain \$/],
    );
    t.match(
      problems(() => withRex({ m: { command: 'x', env: { STATE: '/workspace/state.json' } } })),
      [/mcpServers\.m\.env\.STATE: Invalid value: a server's state may not live on the workspace volume/],
    );
  },
);

t.test(
  'namespace groups: agents that exist and whose CLI takes MCP servers; one server of a name per run',
  async (t) => {
    const group = (g: Record<string, unknown>) => ({ servers: { jira }, ...g });
    t.same(
      problems(() => load({ ...allowJira, mcpServers: [group({ namespaces: ['payments'] })] })),
      [],
    );
    t.match(
      problems(() => load({ ...allowJira, mcpServers: [group({ agents: ['nobody'] })] })),
      [/^mcpServers\[0\]\.agents\[0\]: Invalid value: "nobody": not one of the agents/],
    );
    const { limits: _limits, ...rex } = base.agents.rex ?? { image: '' };
    const codex = { ...rex, cli: 'codex' };
    t.match(
      problems(() => load({ ...allowJira, agents: { ...base.agents, rex: codex }, mcpServers: [group({})] })),
      [/^mcpServers\[0\]\.agents: Required value: agent\(s\) rex run a CLI given no MCP servers/],
      'a group for every agent must name them when one CLI takes none: nothing is silently left out',
    );
    t.match(
      problems(() =>
        load({ ...allowJira, agents: { ...base.agents, rex: { ...codex, mcpServers: { jira } } } }),
      ),
      [/^agents\.rex\.mcpServers: Forbidden: the codex CLI is given no MCP servers/],
    );
    t.match(
      problems(() =>
        load({ ...allowJira, mcpServers: [group({ namespaces: ['a'] }), group({ namespaces: ['a', 'b'] })] }),
      ),
      [/^mcpServers\[1\]\.servers\.jira: Duplicate value: mcpServers\[0\] has a server of this name/],
    );
    t.same(
      problems(() =>
        load({ ...allowJira, mcpServers: [group({ namespaces: ['a'] }), group({ namespaces: ['b'] })] }),
      ),
      [],
      "two teams' servers of one name in namespaces of their own",
    );
    t.match(
      problems(() =>
        load({
          ...allowJira,
          agents: { ...base.agents, rex: { ...base.agents.rex, mcpServers: { jira } } },
          mcpServers: [group({ agents: ['rex'] })],
        }),
      ),
      [/^mcpServers\[0\]\.servers\.jira: Duplicate value: agent rex has a server of this name/],
    );
    t.match(
      problems(() => load({ mcpServers: [group({ namespaces: ['payments'] })] })),
      [
        /^mcpServers\[0\]\.servers\.jira\.url: Forbidden: jira\.example\.com port 443 is not allowed by egress allowlist default of agent/,
      ],
      "a group's host is checked against the allowlist of every agent it reaches",
    );
  },
);

t.test(
  "a run gets its profile's servers, then the groups of its namespace and agent; Secret headers by numbered variables",
  async (t) => {
    const config = load({
      ...allowJira,
      agents: { ...base.agents, rex: { ...base.agents.rex, mcpServers: { mine: { command: 'my-mcp' } } } },
      mcpServers: [
        { namespaces: ['payments'], servers: { jira } },
        {
          agents: ['cleo'],
          servers: { 'sen-try': { url: 'https://eu.sentry.io/mcp', headers: { 'X-Token': secret } } },
        },
      ],
    });
    t.same(mcpServersOf(config, 'rex', 'payments'), [
      { name: 'mine', origin: 'agents.rex.mcpServers.mine', command: 'my-mcp', args: [], env: {} },
      {
        name: 'jira',
        origin: 'mcpServers[0].servers.jira',
        url: 'https://jira.example.com/mcp',
        transport: 'http',
        headers: { Authorization: `\${ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION}` },
        secrets: [
          {
            header: 'Authorization',
            env: 'ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION',
            secretKeyRef: { name: 'jira-mcp', key: 'authorization' },
          },
        ],
      },
    ]);
    t.same(
      mcpServersOf(config, 'rex', 'other').map((s) => s.name),
      ['mine'],
      'another namespace: no group',
    );
    t.same(
      mcpServersOf(config, 'cleo', 'payments').flatMap((s) =>
        'secrets' in s ? s.secrets.map((h) => h.env) : [],
      ),
      ['ORCHESTRATOR_MCP_1_JIRA_AUTHORIZATION', 'ORCHESTRATOR_MCP_2_SEN_TRY_X_TOKEN'],
    );
    t.same(mcpServersOf(config, 'nobody', 'payments'), [], 'no profile, no servers');
  },
);
