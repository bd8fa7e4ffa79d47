// The team MCP servers' headers from Secrets (docs/tools.md): each a variable of the agent container
// alone, from its Secret's key, which the rendered MCP config names as ${VARIABLE}; the value is never
// in the ConfigMap, the Job's arguments, status or a log. Admission checked that the run's submitter
// may read each Secret (src/admission/references/mcp-servers.ts).
import { isRemoteMcp, mcpServersOf } from '../../../api/index.js';
import type { JobFeature } from './feature.js';

export const mcpHeaders: JobFeature = (_base, { run, agent }, { config }) => {
  const env = mcpServersOf(config, agent, run.metadata?.namespace ?? '')
    .filter(isRemoteMcp)
    .flatMap((server) =>
      server.secrets.map(({ env: name, secretKeyRef }) => ({
        name,
        valueFrom: { secretKeyRef: { name: secretKeyRef.name, key: secretKeyRef.key } },
      })),
    );
  return env.length > 0 ? { env: { agent: env } } : {};
};
