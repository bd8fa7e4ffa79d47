// The server under fuzz: the real webhook server (real routes, default controller config) on 127.0.0.1
// with a small request timeout, the clients bound to it, and the closing check every fuzz file ends with.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import type { Test } from 'tap';
import { staticConfig } from '../../src/api/index.js';
import { createAuthority } from '../../src/certs/authority.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { admissionRoutes } from '../../src/webhook/handlers.js';
import { startWebhookServer, type WebhookServer } from '../../src/webhook/server.js';
import { allowAll } from '../harness/fakes/access-reviewers.js';
import { encode } from './bodies.js';
import { type Answer, exchange, type RawWriter, type SendOptions, send, TIMEOUT_MS } from './http.js';
import { ROUTES, review, reviewProblem } from './reviews.js';

/** The webhook body limit (the server's default). */
export const LIMIT = 3 * 1024 * 1024;

export interface FuzzServer {
  server: WebhookServer;
  registry: Registry;
  caPem: string;
  send(opts: SendOptions): Promise<Answer>;
  exchange(write: RawWriter, opts?: { head?: boolean }): Promise<Answer>;
  /** Encodes and POSTs `body`; what is wrong with the answer, or undefined. */
  postReview(path: string, body: unknown): Promise<string | undefined>;
}

/**
 * Starts the server for the fuzz file (or subtest) `t` runs; it is closed in `t`'s teardown. Its request
 * timeout is {@link TIMEOUT_MS} unless `requestTimeoutMs` says otherwise.
 */
export async function startFuzzServer(
  t: Test,
  opts: { requestTimeoutMs?: number } = {},
): Promise<FuzzServer> {
  const certDir = mkdtempSync(join(tmpdir(), 'webhook-fuzz-'));
  const ca = await createAuthority('fuzz-ca');
  const serving = await ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(certDir, 'tls.crt'), serving.certPem);
  writeFileSync(join(certDir, 'tls.key'), serving.keyPem);
  const registry = new Registry();
  const config = loadDefaultConfig();
  const server = await startWebhookServer({
    certFile: join(certDir, 'tls.crt'),
    keyFile: join(certDir, 'tls.key'),
    routes: admissionRoutes({ config: staticConfig(config), reviewer: allowAll() }),
    registry,
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    port: 0,
    host: '127.0.0.1',
    requestTimeoutMs: opts.requestTimeoutMs ?? TIMEOUT_MS,
  });
  const target = {
    port: server.port,
    caPem: ca.certPem,
    agent: new Agent({ keepAlive: true, maxSockets: 4, ca: ca.certPem }),
  };
  t.teardown(async () => {
    target.agent.destroy();
    await server.close();
    rmSync(certDir, { recursive: true, force: true });
  });
  const fuzz: FuzzServer = {
    server,
    registry,
    caPem: ca.certPem,
    send: (opts) => send(target, opts),
    exchange: (write, opts) => exchange(target, write, opts),
    postReview: async (path, body) => {
      const text = encode(body);
      const problem = reviewProblem(text, await fuzz.send({ path, body: text }));
      return problem && `POST ${path}: ${problem}`;
    },
  };
  return fuzz;
}

/** The last test of every fuzz file: after all of that the server still answers, with no internal error. */
export function afterAllStillServing(t: Test, fuzz: FuzzServer): void {
  t.test('after all of that the server still answers, and counted no internal error', async (t) => {
    t.ok(fuzz.server.serving(), 'serving');
    for (const { kind, path } of ROUTES) {
      const text = encode(review(kind));
      const a = await fuzz.send({ path, body: text });
      t.equal(reviewProblem(text, a), undefined, `${path} answers`);
      t.equal(JSON.parse(a.body).response.allowed, true, `${path} allows a valid ${kind}`);
    }
    const internal = await fuzz.registry.getSingleMetric('orchestrator_webhook_internal_errors_total')?.get();
    t.same(
      internal?.values.filter((v) => v.value > 0).map((v) => v.labels.webhook),
      [],
      'no webhook counted an internal error',
    );
    const requests = await fuzz.registry.getSingleMetric('controller_runtime_webhook_requests_total')?.get();
    t.same(
      requests?.values.filter((v) => String(v.labels.code).startsWith('5') && v.value > 0),
      [],
      'no 5xx was counted',
    );
  });
}
