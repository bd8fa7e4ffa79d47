// G7 (docs/security.md "Listener budgets"): agent pods holding the gateway's slots with calls whose body
// never comes. Four addresses (127.0.0.2-5) open 64 such calls each with a valid attempt token, as the
// shipped config and src/app/gateway.ts build the listener: the token's share refuses most of them, the
// others are dropped by the body floor, and meanwhile another agent's call and a phase's GitHub token
// request (on the broker's own budget) are served.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import pino from 'pino';
import t from 'tap';
import { MemoryLedger } from '../../test/harness/fakes/memory-ledger.js';
import { connectionLimits } from '../app/connections.js';
import { loadDefaultConfig } from '../config/load.js';
import { anthropic } from './anthropic.js';
import { brokerBudget, modelBudget } from './budgets.js';
import { tokenPhase } from './github-token-route.js';
import { type GatewayAttempt, gatewayHandler } from './handler.js';
import { callCostMicros, type PriceTable } from './prices.js';
import { startGatewayServer } from './server.js';
import { LimitGate } from './spend-gate.js';

const HOSTILE = 'hostile-attempt-token';
const OTHER = 'other-attempt-token';
const attempt = (run: string): GatewayAttempt => ({
  namespace: 'team-a',
  kind: 'TaskRun',
  run,
  uid: `uid-${run}`,
  attempt: 1,
  job: `${run}-1`,
});
const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'];

async function shippedGateway(t: { teardown(fn: () => unknown): void }) {
  const config = loadDefaultConfig();
  const settings = config.gateway;
  const handler = gatewayHandler({
    provider: anthropic,
    upstream: () => ({ url: 'http://127.0.0.1:9', timeoutMs: 600_000 }),
    key: async () => 'sk-platform',
    prices: () => settings.prices as PriceTable,
    authenticator: {
      authenticate: async (token) =>
        token === HOSTILE ? attempt('hostile') : token === OTHER ? attempt('other') : undefined,
    },
    gate: new LimitGate(new MemoryLedger(), { limits: async () => [] }),
    bodyLimitBytes: settings.bodyLimitBytes,
    bodyTimeoutMs: 60_000, // as src/app/gateway.ts
    logger: pino({ level: 'silent' }),
    cost: callCostMicros,
  });
  const broker = (_req: IncomingMessage, res: ServerResponse) => res.end('ghs_phase_token');
  const budget = modelBudget(settings);
  const server = await startGatewayServer({
    handler,
    routes: (req) => (tokenPhase(req) ? broker : undefined),
    budget,
    routesBudget: brokerBudget(),
    connections: connectionLimits(config),
    requestTimeoutMs: 60_000, // as src/app/gateway.ts
    port: 0,
    host: '127.0.0.1',
  });
  t.teardown(() => server.close());
  return { port: server.port, budget };
}

const post = (port: number, path: string, headers: Record<string, string>, body = '') =>
  new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', localAddress: '127.0.0.1', port, path, method: 'POST', agent: false, headers },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.once('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.once('error', reject);
    req.end(body);
  });

/**
 * The hostile pods: calls whose body never comes, each re-sent as soon as it is answered or closed; a
 * pod's 64 opened one after another, as the attack did (an address that had sent a request could once
 * hold 64 connections).
 */
function holdSlots(port: number) {
  const answers: string[] = [];
  const open = new Set<Socket>();
  /** The slots whose first call was answered or closed. */
  const firstEnded = new Set<number>();
  let stopped = false;
  const hold = (address: string, slot: number): void => {
    if (stopped) return;
    const s = connect({ host: '127.0.0.1', port, localAddress: address });
    open.add(s);
    let text = '';
    s.on('data', (c) => (text += c));
    s.on('error', () => {});
    s.on('connect', () =>
      s.write(
        `POST /v1/messages HTTP/1.1\r\nHost: gw\r\nx-api-key: ${HOSTILE}\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{`,
      ),
    );
    s.on('close', () => {
      open.delete(s);
      firstEnded.add(slot);
      if (text) answers.push(text);
      setTimeout(() => hold(address, slot), 200);
    });
  };
  ADDRESSES.forEach((a, n) => {
    for (let i = 0; i < 64; i++) setTimeout(() => hold(a, n * 64 + i), i * 20);
  });
  return {
    answers,
    firstEnded: () => firstEnded.size,
    stop: () => {
      stopped = true;
      for (const s of open) s.destroy();
    },
  };
}

const until = async (done: () => boolean) => {
  while (!done()) await new Promise((r) => setTimeout(r, 50));
};

t.test('slow bodies from four pods leave the model API and the token broker to everyone else', async (t) => {
  const { port, budget } = await shippedGateway(t);
  const flood = holdSlots(port);
  t.teardown(flood.stop);
  // Every hostile slot is held, or was refused or dropped at least once.
  await until(() => budget.inFlight.requests + flood.firstEnded() >= 4 * 64);

  const broker = await post(port, '/orchestrator/v1/github-token/read', { authorization: 'Bearer sa-token' });
  t.equal(broker.status, 200, 'the broker answers a phase');
  t.equal(broker.text, 'ghs_phase_token');
  const model = await post(
    port,
    '/v1/messages',
    { 'x-api-key': OTHER, 'content-type': 'application/json' },
    '{',
  );
  // Past the budget and the token check: the handler read the call and refused its JSON.
  t.equal(model.status, 400, `another agent's call is served: ${model.text}`);

  // The first held call answered otherwise than 429: by the floor, or (without one) at the 60 s timeout.
  const held = () => flood.answers.find((a) => !a.startsWith('HTTP/1.1 429'));
  await until(() => held() !== undefined);
  t.ok(
    flood.answers.some((a) => a.startsWith('HTTP/1.1 429') && a.includes('credential')),
    "the hostile token's calls past its share are refused 429",
  );
  const slow = held() ?? '';
  t.match(slow, /arrived slower than 32768 bytes per second/, 'a held call is dropped by the floor');
  t.match(slow, /^HTTP\/1\.1 50[34] /, 'a held call is answered by the floor, not at the 60 s timeout');
  t.match(slow, /connection: close/i, 'and its connection is closed');
});
