// The REST API (src/rest) on a free loopback port with a certificate of its own authority, acting as
// `client` (the manager's identity in a test), for the tests and benchmarks that call it as a user or
// open the console in a browser. `rateLimit` lifts the per-user bucket where calls follow each other
// faster than a person's; `budgets`, the team budgets' standings (default: the config's, nothing spent).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { BudgetReports, ControllerConfig } from '../../../src/api/index.js';
import { KubeReviewer } from '../../../src/auth/index.js';
import { writeDevCertificates } from '../../../src/certs/index.js';
import { type ApiServer, startApiServer } from '../../../src/rest/server.js';
import type { KubeClient } from '../../../src/runtime/index.js';
import { fixedBudgets } from '../rest/budget-reports.js';
import type { Scope } from '../util/scope.js';
import { REQUEST_LIMIT_MS, scaled } from '../util/wait.js';

export interface TestApiServer {
  server: ApiServer;
  /** `https://127.0.0.1:{port}` */
  base: string;
  port: number;
  /** The authority its certificate is of. */
  caPem: string;
}

export async function startTestApiServer(
  t: Pick<Scope, 'teardown'>,
  client: KubeClient,
  config: ControllerConfig,
  opts: { rateLimit?: { requestsPerSecond: number; burst: number }; budgets?: BudgetReports } = {},
): Promise<TestApiServer> {
  const dir = mkdtempSync(join(tmpdir(), 'api-certs-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const certs = await writeDevCertificates({
    out: dir,
    service: 'orchestrator-api',
    namespace: 'orchestrator-system',
  });
  const server = await startApiServer({
    ...certs,
    client,
    streams: client,
    reviewer: new KubeReviewer({ client, audience: 'orchestrator', timeoutMs: scaled(10_000) }),
    config: () => config,
    budgets: opts.budgets ?? fixedBudgets(() => config),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    requestTimeoutMs: REQUEST_LIMIT_MS,
    ...(opts.rateLimit ? { rateLimit: opts.rateLimit } : {}),
    port: 0,
    host: '127.0.0.1',
  });
  t.teardown(() => server.close());
  return {
    server,
    base: `https://127.0.0.1:${server.port}`,
    port: server.port,
    caPem: readFileSync(certs.caFile, 'utf8'),
  };
}
