// How the agent's CLI reaches the model: through the model gateway (src/gateway), with a token the actor
// stamps into the Job (src/gateway/stamp.ts; empty here, as the builders are pure), or with the
// platform's key from the run's namespace when the gateway is off.
import type { AgentCli } from '../../../agent-cli/index.js';
import type { ControllerConfig, GithubAuth } from '../../../api/index.js';
import type { EnvVar } from '../env-var.js';
import { secretEnv } from '../github-credentials.js';
import type { JobFeature } from './feature.js';

/** The gateway's base URL as the CLI is given it: gateway.url, and the CLI's provider's path on it. */
const gatewayUrlFor = (url: string, cli: AgentCli): string =>
  cli.gatewayPath ? `${url.replace(/\/$/, '')}${cli.gatewayPath}` : url;

/** The agent's model variables for its CLI. */
export function modelEnv(config: ControllerConfig, auth: GithubAuth, cli: AgentCli): EnvVar[] {
  if (!config.gateway.enabled)
    return cli.env.apiKey ? secretEnv(cli.env.apiKey, config.secrets.apiKey, auth) : [];
  return [
    { name: cli.env.gatewayUrl, value: gatewayUrlFor(config.gateway.url, cli) },
    { name: cli.env.gatewayToken, value: '' },
  ];
}

export const modelGateway: JobFeature = (_base, { auth, cli }, { config }) => {
  const agent = modelEnv(config, auth, cli);
  return agent.length > 0 ? { env: { agent } } : {};
};
