// The model gateway in tests that run it against the real apiserver (rbac.test.ts, the real-node
// agent suite, the gateway benchmark): the config that turns it on, an attempt's token (asked for as
// its agent container does, or signed with the gateway's key where no pod runs), one call of the
// Messages API as the CLI makes it, the ledger's records and what the model stand-in billed, priced as
// the gateway prices it, and where in a namespace a key can be found.
import { request } from 'node:http';
import { AGENT_ENV, type ControllerConfig } from '../../../src/api/index.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import { mintAttemptToken } from '../../../src/gateway/attempt-token.js';
import { LEDGER_SELECTOR, readRecord } from '../../../src/gateway/ledger-record.js';
import { MODEL_TOKEN_AUDIENCE, MODEL_TOKEN_PATH } from '../../../src/gateway/model-token-issuer.js';
import { signingKey } from '../../../src/gateway/operator-secrets.js';
import { callCostMicros, type PriceTable, priceEntry } from '../../../src/gateway/prices.js';
import { anthropicTokens } from '../../../src/gateway/tokens.js';
import {
  CONFIGMAPS,
  isNotFound,
  JOBS,
  type KubeClient,
  type KubeObject,
  resourcePath,
} from '../../../src/runtime/index.js';
import { kubectl } from '../cluster/cluster.js';
import type { RecordedRequest } from '../remote/model-standin.js';
import { waitFor } from '../util/wait.js';
import { boundToken } from './phase-tokens.js';

/**
 * `config` with the gateway on, forwarding to `upstream`, listening on `bind` (a free port of
 * loopback by default) and named to the agents as `url` (where they reach that listener).
 */
export function gatewayConfig(
  config: ControllerConfig,
  upstream: string,
  { bind = '127.0.0.1:0', url = 'http://gateway.invalid:8090' }: { bind?: string; url?: string } = {},
): ControllerConfig {
  config.gateway = {
    ...config.gateway,
    enabled: true,
    bindAddress: bind,
    url,
    upstream: { ...config.gateway.upstream, url: upstream },
  };
  return config;
}

/**
 * The token of the attempt whose Job is `job`, as the gateway hands it to that attempt's agent
 * container (src/gateway/model-token-issuer.ts), signed with the gateway's key from the operator's
 * namespace `ops`: for suites whose attempts never run a pod, where no container can ask for it. The
 * token names the Job's uid, so it waits for the controller to make the Job (a run's Job name is known
 * from the run alone, before the Job exists).
 */
export async function attemptToken(
  client: KubeClient,
  ops: string,
  namespace: string,
  job: string,
  config: ControllerConfig = loadDefaultConfig(),
): Promise<string> {
  const object = await waitFor(`the controller to make Job ${namespace}/${job}`, () =>
    client.request<KubeObject>('GET', resourcePath(JOBS, namespace, job)).catch((err: unknown) => {
      if (isNotFound(err)) return undefined;
      throw err;
    }),
  );
  const owner = object.metadata?.ownerReferences?.find((r) => r.controller);
  if (!owner) throw new Error(`Job ${namespace}/${job} has no controller`);
  const key = await signingKey(client, ops, config.gateway.signingKey);
  const deadline = (object.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds ?? 3600;
  return mintAttemptToken(key, {
    namespace,
    kind: owner.kind,
    run: owner.name,
    uid: owner.uid,
    attempt: 1,
    job,
    jobUid: object.metadata?.uid ?? '',
    expiresAt: Date.now() + deadline * 1000,
  });
}

/**
 * The token the agent container of `pod` (running) is given: a TokenRequest bound to the pod, of the
 * model token's audience (what the kubelet writes into its projected volume), POSTed to the gateway at
 * `base` as the entry script's curl does.
 */
export async function agentModelToken(
  client: KubeClient,
  base: string,
  pod: KubeObject,
): Promise<GatewayAnswer> {
  const credential = await boundToken(client, pod, MODEL_TOKEN_AUDIENCE);
  const answer = await fetch(`${base}${MODEL_TOKEN_PATH}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${credential}` },
  });
  return { status: answer.status, text: await answer.text() };
}

export interface GatewayAnswer {
  status: number;
  text: string;
}

/** A request body of the Messages API: one user turn to a model of the shipped price table. */
export const messagesBody = (extra: Record<string, unknown> = {}) => ({
  model: 'claude-sonnet-4-6',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'hello' }],
  ...extra,
});

/** `POST /v1/messages` with `token` as the CLI sends ANTHROPIC_AUTH_TOKEN (a bearer token). */
export function gatewayCall(
  base: string,
  token: string,
  body: unknown = messagesBody(),
): Promise<GatewayAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(`${base}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'anthropic-version': '2023-06-01',
        authorization: `Bearer ${token}`,
      },
    });
    req.once('error', reject);
    req.once('response', (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      // An answer cut off before its end (the connection closed) is no answer.
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(parts).toString() }));
    });
    req.end(JSON.stringify(body));
  });
}

/** One ledger record of the gateway (src/gateway/ledger-record.ts) as a test reads it. */
export interface LedgerRow {
  namespace: string;
  run: string;
  calls: number;
  costMicros: number;
}

/** The gateway's ledger records in the operator's namespace `ops`. */
export async function ledgerRows(client: KubeClient, ops: string): Promise<LedgerRow[]> {
  const list = await client.request<{ items: KubeObject[] }>('GET', resourcePath(CONFIGMAPS, ops), {
    query: { labelSelector: LEDGER_SELECTOR },
  });
  return list.items.flatMap((cm) => {
    const record = readRecord(cm);
    if (!record) throw new Error(`ledger record ${cm.metadata?.name} does not read`);
    return [
      {
        namespace: record.attempt.namespace,
        run: record.attempt.run,
        calls: record.calls,
        costMicros: record.costMicros,
      },
    ];
  });
}

/** Calls and cost, as a ledger sums them. */
export interface SpendTotals {
  calls: number;
  costMicros: number;
}

/** What ledger rows add up to. */
export const ledgerTotals = (rows: LedgerRow[]): SpendTotals => ({
  calls: rows.reduce((n, r) => n + r.calls, 0),
  costMicros: rows.reduce((n, r) => n + r.costMicros, 0),
});

/**
 * What the model stand-in billed for `requests` (the answers that carried usage), priced with `prices`
 * as the gateway prices a call: what the ledger must hold for them, no more and no less.
 */
export function billedTotals(requests: RecordedRequest[], prices: PriceTable): SpendTotals {
  const billed = requests.filter((r) => r.billed);
  const costMicros = billed.reduce((sum, r) => {
    const model = String((r.body as { model?: unknown } | undefined)?.model);
    const price = prices.models[priceEntry(prices, model) ?? ''];
    if (!price) throw new Error(`the price table has no entry for model ${model}`);
    return sum + callCostMicros(price, anthropicTokens(r.billed));
  }, 0);
  return { calls: billed.length, costMicros };
}

/**
 * Every object of every kind in `namespace` that users can list (`kubectl api-resources`), and those
 * whose JSON holds `secret` as it is or base64-encoded (as a Secret's data would).
 */
export async function objectsHolding(
  cluster: Cluster,
  namespace: string,
  secret: string,
): Promise<{ kinds: string[]; count: number; holding: string[] }> {
  const resources = await kubectl(cluster, ['api-resources', '--verbs=list', '--namespaced', '-o', 'name']);
  if (resources.code !== 0) throw new Error(`kubectl api-resources: ${resources.stderr}`);
  const kinds = resources.stdout.split('\n').filter(Boolean);
  const got = await kubectl(cluster, ['get', kinds.join(','), '-n', namespace, '-o', 'json']);
  if (got.code !== 0) throw new Error(`kubectl get ${kinds.join(',')}: ${got.stderr}`);
  const items = (JSON.parse(got.stdout) as { items: KubeObject[] }).items;
  const forms = [secret, Buffer.from(secret).toString('base64')];
  const holding = items
    .filter((o) => forms.some((f) => JSON.stringify(o).includes(f)))
    .map((o) => `${o.kind}/${o.metadata?.name}`);
  return { kinds, count: items.length, holding };
}

type EnvEntry = { name?: unknown; value?: unknown; valueFrom?: unknown };

/**
 * How an agent container reaches the model and the internet, from its env: the gateway's URL, whether
 * it asks the gateway for its attempt's token (never a value of its env), its HTTPS proxy, and the
 * variables it takes from Secrets.
 */
export function agentRoutes(env: EnvEntry[] = []) {
  const of = (name: string) => env.find((e) => e.name === name)?.value;
  return {
    gateway: of(AGENT_ENV.gatewayUrl),
    token: Boolean(of(AGENT_ENV.modelTokenUrl)) && !of(AGENT_ENV.gatewayToken),
    proxy: of('HTTPS_PROXY'),
    fromSecrets: env
      .filter((e) => (e.valueFrom as { secretKeyRef?: unknown })?.secretKeyRef)
      .map((e) => e.name),
  };
}

/** agentRoutes of an agent on the shipped defaults: the gateway with a token, the egress proxy, no Secret. */
export const SHIPPED_ROUTES = Object.freeze({
  gateway: 'http://orchestrator-gateway.orchestrator-system.svc:8090',
  token: true,
  proxy: 'http://orchestrator-egress-proxy.orchestrator-system.svc:3128',
  fromSecrets: [] as string[],
});
