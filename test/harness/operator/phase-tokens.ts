// The GitHub token broker as `orchestrator run` wires it for App runs, in-process on the test cluster:
// the App's key in the operator's namespace, tokens minted at the GitHub stand-in, the broker on the
// gateway's listener (the model gateway off); and what a phase does to get its token: a token of the
// broker's audience bound to its pod (as the kubelet writes the projected volume), POSTed to its path.
import pino, { type Logger } from 'pino';
import type { Test } from 'tap';
import { type ControllerConfig, staticConfig } from '../../../src/api/index.js';
import { startModelGateway } from '../../../src/app/gateway.js';
import { GITHUB_TOKEN_PATHS } from '../../../src/gateway/github-token-route.js';
import { AppKeys, TokenBroker } from '../../../src/github/app-tokens/index.js';
import { PHASE_TOKEN_AUDIENCE } from '../../../src/github/phase-tokens/index.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/http/connection-limits.js';
import { type KubeClient, type KubeObject, resourcePath, SECRETS } from '../../../src/runtime/index.js';
import { type GithubAppFixture, githubAppFixture } from '../remote/github-api/apps.js';
import { startGithubApi } from '../remote/github-api/server.js';
import { DEFAULT_WAIT_MS, waitFor } from '../util/wait.js';
import { APP_KEY_SECRETS } from './operator.js';

/** The App 5DLabs-Rex's id and key as the Secret in the operator's namespace `ops` that AppKeys reads. */
export async function storeAppKey(admin: KubeClient, ops: string, app: GithubAppFixture): Promise<void> {
  await admin.request('POST', resourcePath(SECRETS, ops), {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'github-app-5dlabs-rex' },
      stringData: { 'app-id': String(app.appId), 'private-key': app.privateKey },
    },
  });
}

/**
 * Starts the broker for `config` (which it changes: the App key Secrets named, the listener on the
 * loopback, gateway.url naming it), with the App 5DLabs-Rex installed on acme's payments repositories
 * and its key in `ops`. Start the operator on `config` after it.
 */
export async function startPhaseTokenBroker(
  t: Test,
  admin: KubeClient,
  ops: string,
  config: ControllerConfig,
  logger: Logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
) {
  const app = githubAppFixture();
  app.installations.set('acme', { id: 21, repositories: ['payments', 'payments-docs'] });
  const api = await startGithubApi(t, app.routes);
  await storeAppKey(admin, ops, app);
  config.secrets.githubAppId = { ...APP_KEY_SECRETS.id };
  config.secrets.githubAppPrivateKey = { ...APP_KEY_SECRETS.key };
  config.gateway.bindAddress = '127.0.0.1:0';
  const gateway = await startModelGateway({
    client: admin,
    config: staticConfig(config),
    namespace: ops,
    connections: DEFAULT_CONNECTION_LIMITS,
    logger,
    githubTokens: new TokenBroker({
      keys: new AppKeys(admin, ops, () => APP_KEY_SECRETS),
      apiUrl: () => api.url,
    }),
  });
  if (!gateway) throw new Error('the broker did not start');
  t.teardown(() => gateway.close());
  config.gateway.url = `http://127.0.0.1:${gateway.port}`;
  const url = config.gateway.url;
  /** A phase asking for its token with `credential`, as the entry script's curl does. */
  const ask = async (phase: keyof typeof GITHUB_TOKEN_PATHS, credential: string) => {
    const answer = await fetch(`${url}${GITHUB_TOKEN_PATHS[phase]}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${credential}` },
    });
    return { status: answer.status, text: await answer.text() };
  };
  return { app, ask, modelGateway: gateway.model };
}

/**
 * A token for the pod's ServiceAccount, of the broker's audience (or `audience`), bound to the pod: what
 * the kubelet writes into the projected volume of the prepare and publish containers (the agent's, of
 * the model token's audience); `client` asks for it.
 */
export async function boundToken(
  client: KubeClient,
  pod: KubeObject,
  audience = PHASE_TOKEN_AUDIENCE,
): Promise<string> {
  const account = (pod.spec as { serviceAccountName?: string }).serviceAccountName ?? 'default';
  const answer = await client.request<{ status?: { token?: string } }>(
    'POST',
    `/api/v1/namespaces/${pod.metadata?.namespace}/serviceaccounts/${account}/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: {
          audiences: [audience],
          expirationSeconds: 600,
          boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name, uid: pod.metadata?.uid },
        },
      },
    },
  );
  if (!answer.status?.token) throw new Error('the TokenRequest holds no token');
  return answer.status.token;
}

type ContainerStatus = { name: string; state?: { running?: object } };

/**
 * The pod once its kubelet (KWOK) reports `container` running. Init containers run one after another
 * (cluster/stages/pod.yaml), each for the pod's init-delay: the suites' delays of up to 20 s each put a
 * third container a minute out, so the wait is twice the default.
 */
export const whenRunning = (client: KubeClient, pod: KubeObject, container: string) =>
  waitFor(
    `${container} of pod ${pod.metadata?.name} running`,
    async (note) => {
      const now = await client.request<KubeObject>(
        'GET',
        `/api/v1/namespaces/${pod.metadata?.namespace}/pods/${pod.metadata?.name}`,
      );
      const status = now.status as {
        initContainerStatuses?: ContainerStatus[];
        containerStatuses?: ContainerStatus[];
      };
      const all = [...(status.initContainerStatuses ?? []), ...(status.containerStatuses ?? [])];
      note(all.map((c) => `${c.name}: ${Object.keys(c.state ?? {}).join()}`));
      return all.find((c) => c.name === container)?.state?.running ? now : undefined;
    },
    { timeoutMs: 2 * DEFAULT_WAIT_MS },
  );
