// The reference row of the team MCP servers' Secret headers (docs/tools.md): the config names the
// Secret, but the run chooses its agent and namespace, so whoever may create a run must be allowed to
// read each Secret whose key its agent would send, as for a Secret the run names itself. Its path is
// the field that selects the agent (the servers are its profile's, or those the config gives the
// agent in the run's namespace); the denial says which server of the config sends it.
import { isRemoteMcp, mcpServersOf, runAgent } from '../../api/index.js';
import { agentField } from './agent-profiles.js';
import type { Named, Reference } from './row.js';

export const MCP_SECRET_REFERENCE: Reference = {
  field: 'spec.agent (CodeRun, DocsRun: spec.githubApp): its MCP servers',
  group: '',
  resource: 'secrets',
  anyOf: [{ verb: 'get' }],
  use: "its MCP servers' headers from Secrets",
  named: ({ kind, spec, config, namespace }) => {
    const agent = runAgent(kind, spec, config);
    const agentPath = agentField(kind);
    return mcpServersOf(config, agent, namespace ?? '')
      .filter(isRemoteMcp)
      .flatMap((server) =>
        server.secrets.map(
          (s): Named => ({
            path: agentPath,
            name: s.secretKeyRef.name,
            note: `MCP server ${server.name}'s header ${s.header}`,
            use: `the agent would send its key "${s.secretKeyRef.key}" as header ${s.header} to MCP server ${server.name} (controller config ${server.origin})`,
          }),
        ),
      );
  },
};
