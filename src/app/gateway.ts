// The model gateway's part of `orchestrator run` (docs/economics.md "The model gateway"): its keys read
// from the operator's namespace, the ledger there, the limits a call is checked against
// (src/gateway/limits.ts), the agents' token broker (model-token-broker.ts), and the listener on every
// replica.
import type { RequestListener } from 'node:http';
import type { Logger } from 'pino';
import type { ProviderName } from '../agent-cli/index.js';
import type { ConfigSource } from '../api/index.js';
import type { Provider } from '../gateway/index.js';
import {
  anthropic,
  brokerBudget,
  callCostMicros,
  gatewayHandler,
  gatewayLimits,
  gemini,
  InFlight,
  JobAuthenticator,
  LimitGate,
  modelBudget,
  openai,
  type PriceTable,
  providerRoutes,
  type SecretKeyRef,
  secretValue,
  selectedNamespaces,
  signingKey,
  startGatewayServer,
  startKubeLedger,
} from '../gateway/index.js';
import type { GithubTokens } from '../github/index.js';
import type { ConnectionLimits } from '../http/index.js';
import type { KubeClient, ListenAddress } from '../runtime/index.js';
import { phaseTokenBroker } from './github-token-broker.js';
import { modelTokenBroker } from './model-token-broker.js';
import { parseBindAddress } from './options.js';

/**
 * How long a stopping replica's calls may run on, and then how long their records may take to write
 * (tried again while the apiserver is slow or away): with the 5 s of draining, 42 s of the pod's 45.
 */
const CALLS_GRACE_MS = 25_000;
const RECORDS_GRACE_MS = 12_000;

export interface ModelGateway {
  port: number;
  serving(): boolean;
  /** Lets the calls being served end (their records written), then closes; the same promise however often it is called. */
  close(): Promise<void>;
  /** Whether it serves the model API (gateway.enabled), not only the GitHub token broker. */
  model: boolean;
}

export interface ModelGatewayOptions {
  client: KubeClient;
  config: ConfigSource;
  /** The operator's namespace: the keys and the ledger. */
  namespace: string;
  connections: ConnectionLimits;
  /** Where it listens. Default: the config's gateway.bindAddress. */
  address?: ListenAddress;
  logger: Logger;
  /**
   * The operator mints GitHub App tokens: the listener serves the phases' token broker too, and listens
   * for it even with the model gateway off (docs/security.md "Phases and their credentials").
   */
  githubTokens?: GithubTokens;
}

/** The model API's handler and the agents' token broker (gateway.enabled). */
async function modelHandler(opts: ModelGatewayOptions) {
  const { client, config, namespace, logger } = opts;
  const settings = config.current().gateway;
  const key = await signingKey(client, namespace, settings.signingKey);
  const { ledger, stop: stopLedger } = await startKubeLedger({
    client,
    namespace,
    logger,
    onPruneError: (err) =>
      logger.warn({ err: err.message }, 'the ledger records past every budget window were not all deleted'),
    onWriteRetry: (err, record) =>
      logger.warn({ err: err.message, record }, 'a ledger record was not written: trying again'),
  });
  const inFlight = new InFlight();
  const authenticator = new JobAuthenticator({ client, key: () => key, cacheMs: 5_000 });
  const gate = new LimitGate(ledger, gatewayLimits({ config, ledger, selected: selectedNamespaces(client) }));
  const timeoutMs = () => config.current().gateway.upstream.timeoutSeconds * 1000;
  // Each provider's API on its own path, with its own upstream and key; the token, limits, prices,
  // ledger and in-flight count are one for all (docs/agents.md "Through the gateway").
  const upstreams: Record<
    ProviderName,
    { provider: Provider; url: () => string; apiKey: () => SecretKeyRef }
  > = {
    anthropic: {
      provider: anthropic,
      url: () => config.current().gateway.upstream.url,
      apiKey: () => config.current().gateway.upstream.apiKey,
    },
    openai: {
      provider: openai,
      url: () => config.current().gateway.providers.openai.url,
      apiKey: () => config.current().gateway.providers.openai.apiKey,
    },
    gemini: {
      provider: gemini,
      url: () => config.current().gateway.providers.gemini.url,
      apiKey: () => config.current().gateway.providers.gemini.apiKey,
    },
  };
  const handlerOf = ({ provider, url, apiKey }: (typeof upstreams)[ProviderName]) =>
    gatewayHandler({
      provider,
      upstream: () => ({ url: url(), timeoutMs: timeoutMs() }),
      key: secretValue(client, namespace, apiKey),
      prices: () => config.current().gateway.prices as PriceTable,
      authenticator,
      gate,
      bodyLimitBytes: settings.bodyLimitBytes,
      bodyTimeoutMs: 60_000,
      logger: logger.child({ component: 'gateway', provider: provider.name }),
      cost: callCostMicros,
      inFlight,
    });
  const handler = providerRoutes({
    anthropic: handlerOf(upstreams.anthropic),
    openai: handlerOf(upstreams.openai),
    gemini: handlerOf(upstreams.gemini),
  });
  return { handler, tokens: modelTokenBroker(client, () => key, logger), inFlight, stopLedger };
}

/** Answers every model API call while the model gateway is off (the listener serves the token broker). */
const modelOff: RequestListener = (_req, res) => {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', connection: 'close' });
  res.end('the model gateway is off (gateway.enabled)');
};

/**
 * Starts the listener when the config enables the model gateway or the operator mints GitHub App
 * tokens (the phases' broker); undefined otherwise.
 */
export async function startModelGateway(opts: ModelGatewayOptions): Promise<ModelGateway | undefined> {
  const { client, config, logger } = opts;
  const settings = config.current().gateway;
  if (!settings.enabled && !opts.githubTokens) return undefined;
  const model = settings.enabled ? await modelHandler(opts) : undefined;
  const broker = opts.githubTokens && phaseTokenBroker(client, config, opts.githubTokens, logger);
  const address = opts.address ?? parseBindAddress(settings.bindAddress, 'gateway.bindAddress');
  const server = await startGatewayServer({
    handler: model?.handler ?? modelOff,
    routes: (req) => model?.tokens(req) ?? broker?.routes(req),
    routesBudget: brokerBudget(),
    budget: modelBudget(settings),
    connections: opts.connections,
    requestTimeoutMs: 60_000,
    port: address.port,
    host: address.host ?? '0.0.0.0',
  });
  logger.info(
    {
      port: server.port,
      model: settings.enabled ? settings.upstream.url : 'off',
      githubTokenBroker: broker !== undefined,
    },
    'gateway listening',
  );
  let closing: Promise<void> | undefined;
  return {
    port: server.port,
    serving: server.serving,
    // A stopping replica (its pod deleted) lets the calls it serves end and records them before it
    // exits, within the pod's grace (config/manager/deployment.yaml: 45 s, 5 of them draining first).
    close: () => {
      closing ??= (async () => {
        broker?.stop();
        await server.close(CALLS_GRACE_MS);
        if (model && !(await model.inFlight.idle(RECORDS_GRACE_MS)))
          logger.warn({ calls: model.inFlight.calls }, 'the gateway stopped with calls not yet recorded');
        await model?.stopLedger();
      })();
      return closing;
    },
    model: model !== undefined,
  };
}
