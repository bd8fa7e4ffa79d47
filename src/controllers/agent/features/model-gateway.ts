// How the agent's CLI reaches the model: through the model gateway (src/gateway), with its attempt's
// token, which the agent container asks the gateway for as it starts with a projected ServiceAccount
// token mounted in it alone (the CLI itself through templates/agent-shell/model-token.sh when it
// asksForToken, else lib.sh fetch_model_token before it), so that the token is in no object anyone can
// read; or with the platform's key from the run's namespace when the gateway is off.
import type { AgentCli } from '../../../agent-cli/index.js';
import { AGENT_ENV, type ControllerConfig, type GithubAuth } from '../../../api/index.js';
import { MODEL_TOKEN_AUDIENCE, MODEL_TOKEN_PATH } from '../../../gateway/index.js';
import type { EnvVar } from '../env-var.js';
import { projectedToken, secretEnv } from '../github-credentials.js';
import type { JobFeature } from './feature.js';

/** Where the agent container's projected token (what it asks for its model token with) is mounted. */
export const MODEL_CREDENTIAL_DIR = '/var/run/secrets/orchestrator/model-token-credential';

/** The gateway's base URL as the CLI is given it: gateway.url, and the CLI's provider's path on it. */
const gatewayUrlFor = (url: string, cli: AgentCli): string =>
  cli.gatewayPath ? `${url.replace(/\/$/, '')}${cli.gatewayPath}` : url;

/** The agent's model variables for its CLI. */
export function modelEnv(config: ControllerConfig, auth: GithubAuth, cli: AgentCli): EnvVar[] {
  if (!config.gateway.enabled)
    return cli.env.apiKey ? secretEnv(cli.env.apiKey, config.secrets.apiKey, auth) : [];
  return [
    { name: cli.env.gatewayUrl, value: gatewayUrlFor(config.gateway.url, cli) },
    { name: AGENT_ENV.modelTokenUrl, value: `${config.gateway.url.replace(/\/+$/, '')}${MODEL_TOKEN_PATH}` },
    { name: AGENT_ENV.modelTokenCredentialFile, value: `${MODEL_CREDENTIAL_DIR}/token` },
    // A CLI that asks for its token itself is told where in its settings (src/render: modelTokenHelper).
    ...(cli.asksForToken ? [] : [{ name: AGENT_ENV.modelTokenVariable, value: cli.env.gatewayToken }]),
  ];
}

export const modelGateway: JobFeature = (_base, { auth, cli }, { config }) => {
  const agent = modelEnv(config, auth, cli);
  if (!config.gateway.enabled) return agent.length > 0 ? { env: { agent } } : {};
  const credential = projectedToken('model-token-credential', MODEL_CREDENTIAL_DIR, MODEL_TOKEN_AUDIENCE);
  return { env: { agent }, mounts: { agent: [credential.mount] }, volumes: [credential.volume] };
};
