// One world of the real-node agent suites (test/integration/agent-e2e.test.ts,
// test/integration/agent-e2e/hostile.ts, in one process): a namespace with its operator, the shipped config's
// Secrets and a model stand-in scripted with the test's turns; how to create a run as admission would
// store it, read its status, wait for an attempt to finish, and find its workspace volume on the host.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import {
  AGENT_ENV,
  type ControllerConfig,
  type RunKindName,
  type RunOf,
  type RunStatus,
  staticConfig,
} from '../../../src/api/index.js';
import { startModelGateway } from '../../../src/app/gateway.js';
import { runPath } from '../../../src/cli/kinds.js';
import type { Cluster, LocalImage } from '../../../src/cluster/index.js';
import type { GithubTokens } from '../../../src/github/index.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/http/connection-limits.js';
import type { TemplateSet } from '../../../src/render/index.js';
import { KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../cluster/cluster.js';
import { createSecret } from '../cluster/secrets.js';
import { ensureCrds } from '../deploy/crds.js';
import { gatewayConfig } from '../operator/gateway.js';
import { startOperator } from '../operator/operator.js';
import type { Turn } from '../remote/model-script.js';
import { ModelStandin, type ModelStandinOptions } from '../remote/model-standin.js';
import type { Scope } from '../util/scope.js';
import { waitFor } from '../util/wait.js';
import {
  admitted,
  type GitHost,
  gitHost,
  NODE_GATEWAY,
  suiteConfig,
  suiteImages,
  suiteSecrets,
} from './agent-e2e.js';

/** A run's status as the operator writes it. */
export type { RunStatus };

export interface Suite {
  cluster: Cluster;
  client: KubeClient;
  git: GitHost;
  /** The image every agent runs. */
  image: string;
  user: { name: string; token: string };
  apiKey: string;
}

/**
 * A suite file's shared part: the agent image (built or imported when new), the real-node cluster
 * (importing `images` too) with the CRDs, a work directory and the git host serving `user` with their token.
 */
export async function agentSuite(
  t: Scope,
  user: { name: string; token: string },
  apiKey: string,
  /** More images the node imports (the operator's, for the in-cluster suite). */
  images: LocalImage[] = [],
  /** Registries the node pulls from (the in-cluster suite's release). */
  registryMirrors: Record<string, string> = {},
): Promise<Suite & { work: string; images: { agent: LocalImage; trusting: LocalImage } }> {
  const started = Date.now();
  const { agent, trusting, tls } = await suiteImages((step) => t.comment(`agent image: ${step}`));
  t.comment(`agent image ready after ${Math.round((Date.now() - started) / 1000)} s: ${trusting.name}`);
  const cluster = await testCluster({ realNode: true, images: [trusting, ...images], registryMirrors });
  await ensureCrds(cluster);
  const client = new KubeClient(kubeConfig(cluster));
  t.teardown(() => client.close());
  const work = mkdtempSync(join(tmpdir(), 'agent-suite-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const git = await gitHost(t, work, tls, { user: user.name, token: user.token });
  return { cluster, client, git, image: trusting.name, user, apiKey, work, images: { agent, trusting } };
}

export interface WorldOptions {
  templates?: TemplateSet;
  /** The stand-in's answer to requests that offer no tools (ModelStandinOptions.aside). */
  aside?: ModelStandinOptions['aside'];
  /**
   * The model gateway (src/app/gateway.ts, as `orchestrator run` starts it), on as shipped: listening
   * on the node's gateway address, its keys and ledger in a namespace of its own (`ops`), forwarding to
   * the stand-in with the suite's key, which no object of the run's namespace holds. `false` (not
   * shipped, for a test about the agent's own report): the run's namespace holds the key, and the agent
   * calls the stand-in itself.
   */
  gateway?: boolean;
  /** The config's retries.maxRetries (default the shipped one), for a test about one attempt's end. */
  maxRetries?: number;
  /**
   * With the gateway: the other providers' APIs (stand-ins listening on the node's gateway address),
   * each with its key Secret in `ops` holding the suite's key, as for the Anthropic API.
   */
  providers?: Partial<Record<'openai' | 'gemini', string>>;
  /** A change to the suite's config before the operator and gateway start (profiles, prices). */
  configure?: (config: ControllerConfig) => void;
}

/**
 * The model gateway of a world: started on `config`, which it then names to the agents; with
 * `githubTokens`, also the phases' GitHub token broker, minting from them.
 */
export async function worldGateway(
  t: Scope,
  suite: Pick<Suite, 'cluster' | 'client' | 'apiKey'>,
  config: ControllerConfig,
  modelUrl: string,
  options: WorldOptions & { githubTokens?: GithubTokens } = {},
) {
  const ops = await testNamespace(t, suite.cluster);
  const providers = options.providers ?? {};
  delete config.job.env?.[AGENT_ENV.gatewayUrl];
  gatewayConfig(config, modelUrl, { bind: `${NODE_GATEWAY}:0` });
  const keys = [config.gateway.upstream.apiKey];
  for (const [name, url] of Object.entries(providers)) {
    const provider = config.gateway.providers[name as keyof typeof providers];
    provider.url = url;
    keys.push(provider.apiKey);
  }
  for (const key of keys) await createSecret(suite.client, ops, key.name, { [key.key]: suite.apiKey });
  const gateway = await startModelGateway({
    client: suite.client,
    config: staticConfig(config),
    namespace: ops,
    ...(options.githubTokens ? { githubTokens: options.githubTokens } : {}),
    connections: DEFAULT_CONNECTION_LIMITS,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
  });
  if (!gateway?.model) throw new Error('the model gateway did not start');
  t.teardown(() => gateway.close());
  config.gateway.url = `http://${NODE_GATEWAY}:${gateway.port}`;
  return { ops, gateway };
}

/** A namespace with its operator, Secrets and a model stand-in scripted with `script`. */
export async function agentWorld(t: Scope, suite: Suite, script: Turn[], options: WorldOptions = {}) {
  const { cluster, client } = suite;
  const { templates } = options;
  const ns = await testNamespace(t, cluster);
  const model = new ModelStandin({
    script,
    apiKey: suite.apiKey,
    ...(options.aside ? { aside: options.aside } : {}),
  });
  const modelUrl = await model.listen(0, NODE_GATEWAY);
  t.teardown(() => model.close());
  const config = suiteConfig(suite.image, modelUrl, new URL(suite.git.server.base).host);
  if (options.maxRetries !== undefined) config.retries.maxRetries = options.maxRetries;
  options.configure?.(config);
  if (options.gateway === false) config.gateway.enabled = false;
  const gateway = config.gateway.enabled
    ? await worldGateway(t, suite, config, modelUrl, options)
    : undefined;
  await suiteSecrets(client, ns, config, suite.user, suite.apiKey);
  const operator = await startOperator(t, cluster, ns, config, {
    ...(templates ? { inputs: { config: () => config, templates: () => templates } } : {}),
    ...(gateway ? { gateway: { ledgerNamespace: gateway.ops } } : {}),
  });
  const create = <K extends RunKindName>(kind: K, run: RunOf<K>) =>
    client.request('POST', runPath(kind, ns), { body: admitted(kind, run, config) });
  const status = async (kind: RunKindName, name: string) =>
    ((await client.request<KubeObject>('GET', runPath(kind, ns, name))).status ?? {}) as RunStatus;
  /** Until the run's attempt `attempt` has finished (Succeeded or Failed); its status. */
  const finished = (kind: RunKindName, name: string, attempt = 1) =>
    waitFor(
      `${kind} ${name} attempt ${attempt} Succeeded or Failed (the real agent in the image)`,
      async (note) => {
        const s = await status(kind, name);
        note(s);
        return (s.attempt ?? 0) >= attempt && (s.phase === 'Succeeded' || s.phase === 'Failed')
          ? s
          : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 1000 },
    );
  /**
   * The host directory of workspace claim `pvc`: the real node's host-path provisioner makes one per
   * volume (cluster/control-plane/realnode_volumes.go), and the tests run on that host.
   */
  const volumeDir = async (pvc: string) => {
    const claim = await client.request<KubeObject>(
      'GET',
      `/api/v1/namespaces/${ns}/persistentvolumeclaims/${pvc}`,
    );
    const volume = (claim.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!volume) throw new Error(`PersistentVolumeClaim ${pvc} is not bound`);
    const pv = await client.request<KubeObject>('GET', `/api/v1/persistentvolumes/${volume}`);
    const dir = (pv.spec as { hostPath?: { path?: string } } | undefined)?.hostPath?.path;
    if (!dir) throw new Error(`PersistentVolume ${volume} is not a host-path volume`);
    return dir;
  };
  return {
    ns,
    model,
    config,
    create,
    status,
    finished,
    volumeDir,
    ops: gateway?.ops,
    budgets: operator.budgets,
  };
}
