// A model gateway on a free port for unit tests (src/gateway): a provider's routes (Anthropic's unless told), a token check of
// the test's own, the limits over a ledger in memory, and the shipped price table.
import pino from 'pino';
import { loadDefaultConfig } from '../../../src/config/load.js';
import { anthropic } from '../../../src/gateway/anthropic.js';
import { type GatewayAttempt, gatewayHandler, type MeteredCall } from '../../../src/gateway/handler.js';
import { InFlight } from '../../../src/gateway/in-flight.js';
import { callCostMicros, type PriceTable } from '../../../src/gateway/prices.js';
import type { Provider } from '../../../src/gateway/provider.js';
import { type GatewayServer, startGatewayServer } from '../../../src/gateway/server.js';
import { type Ledger, LimitGate, type SpendLimit } from '../../../src/gateway/spend-gate.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../../src/http/connection-limits.js';
import { ListenerBudget } from '../../../src/http/listener-budget.js';
import { MemoryLedger } from './memory-ledger.js';

export const ATTEMPT: GatewayAttempt = {
  namespace: 'team-a',
  kind: 'TaskRun',
  run: 'fix',
  uid: 'uid-fix',
  attempt: 1,
  job: 'fix-1',
};
export const TOKEN = 'attempt-token';

/** A metered call of `costMicros` (10 input and 20 output tokens), as the handler hands it to the ledger. */
export const meteredCall = (costMicros: number, model = 'claude-sonnet-4-6'): MeteredCall => ({
  provider: 'anthropic',
  model,
  priced: model,
  tokens: { input: 10, output: 20, cacheWrite: 0, cacheWrite1h: 0, cacheRead: 0 },
  costMicros,
  cut: false,
});
export const PLATFORM_KEY = 'sk-platform-key';

/** The shipped price table (the schema's default). */
export const SHIPPED_PRICES = (): PriceTable => loadDefaultConfig().gateway.prices as PriceTable;

export interface TestGateway<L extends Ledger = MemoryLedger> {
  url: string;
  ledger: L;
  server: GatewayServer;
  budget: ListenerBudget;
  inFlight: InFlight;
}

export async function testGateway<L extends Ledger = MemoryLedger>(opts: {
  upstream: string;
  /** Where calls are recorded and summed (default one in memory, each call summed and written at once). */
  ledger?: L;
  /** The provider's API served (default Anthropic's). */
  provider?: Provider;
  timeoutMs?: number;
  bodyLimitBytes?: number;
  prices?: PriceTable;
  limits?: (ledger: L) => SpendLimit[];
}): Promise<TestGateway<L>> {
  const ledger = opts.ledger ?? (new MemoryLedger() as Ledger as L);
  const inFlight = new InFlight();
  const prices = opts.prices ?? SHIPPED_PRICES();
  const budget = new ListenerBudget({
    name: 'gateway',
    maxConcurrent: 16,
    maxBytesInFlight: 64 * 1024 * 1024,
    maxBodyBytes: opts.bodyLimitBytes ?? 1024 * 1024,
  });
  const handler = gatewayHandler({
    provider: opts.provider ?? anthropic,
    upstream: () => ({ url: opts.upstream, timeoutMs: opts.timeoutMs ?? 30_000 }),
    key: async () => PLATFORM_KEY,
    prices: () => prices,
    authenticator: { authenticate: async (token) => (token === TOKEN ? ATTEMPT : undefined) },
    gate: new LimitGate(ledger, { limits: async () => opts.limits?.(ledger) ?? [] }),
    bodyLimitBytes: opts.bodyLimitBytes ?? 1024 * 1024,
    bodyTimeoutMs: 10_000,
    logger: pino({ level: 'silent' }),
    cost: callCostMicros,
    inFlight,
  });
  const server = await startGatewayServer({
    handler,
    budget,
    connections: DEFAULT_CONNECTION_LIMITS,
    requestTimeoutMs: 10_000,
    port: 0,
    host: '127.0.0.1',
  });
  return { url: `http://127.0.0.1:${server.port}`, ledger, server, budget, inFlight };
}
