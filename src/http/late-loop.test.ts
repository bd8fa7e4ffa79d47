// A loop running late (a loaded machine starving the process) must not cost a client whose bytes came
// in time. A timer fires in the loop's timers phase, before the poll phase reads what came meanwhile:
// the header deadline closed a connection whose handshake and request were waiting to be read (seen as
// ECONNRESET on keep-alive clients in the cert-rotation test beside the real-node lane). And over TLS a
// response's write completes in the check phase after the poll phase, so requests read in one poll
// phase all counted as in flight: a burst past the concurrency limit was refused 503 and its
// connections closed, though each was answered at once (seen in the connections test).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type TLSSocket } from 'node:tls';
import pino from 'pino';
import t, { type Test } from 'tap';
import { within } from '../../test/harness/util/wait.js';
import { createAuthority } from '../certs/authority.js';
import { DEFAULT_CONNECTION_LIMITS } from './connection-limits.js';
import { startHttpsServer } from './https-server.js';
import { ListenerBudget } from './listener-budget.js';

const HEADER_TIMEOUT_MS = 2_000;

async function server(t: Test, budget?: ListenerBudget) {
  const dir = mkdtempSync(join(tmpdir(), 'late-loop-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createAuthority();
  const serving = await ca.issueServing({ commonName: 'server', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem);
  const s = await startHttpsServer({
    name: 'test',
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    handler: (_req, res) => res.end('served'),
    port: 0,
    host: '127.0.0.1',
    timeoutMs: 10_000,
    connections: { ...DEFAULT_CONNECTION_LIMITS, headerTimeoutMs: HEADER_TIMEOUT_MS },
    logger: pino({ level: 'silent' }),
    ...(budget ? { budget } : {}),
  });
  t.teardown(() => s.close());
  return { port: s.port, ca: ca.certPem };
}

/** Holds the loop for `ms`, as a starved process would be held. */
function stall(ms: number) {
  const end = Date.now() + ms;
  while (Date.now() < end);
}

t.test(
  'a handshake and a request that came in time are served though the loop ran past the deadline',
  async (t) => {
    const { port, ca } = await server(t);
    const answer = new Promise<string>((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', ca, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(`status ${res.statusCode}`));
      });
      // The client's handshake is done and its request sent; the server has not read them yet.
      req.on('socket', (s) =>
        s.once('secureConnect', () => setImmediate(() => stall(HEADER_TIMEOUT_MS * 1.25))),
      );
      req.on('error', (err) => resolve(`error ${err.message}`));
      req.end();
    });
    t.equal(await within('the answer', answer), 'status 200', 'served');
  },
);

t.test(
  'requests read in one turn past the concurrency limit, each answered at once, are all served',
  async (t) => {
    const budget = new ListenerBudget({
      name: 'test',
      maxConcurrent: 4,
      maxBytesInFlight: 1_000,
      maxBodyBytes: 0,
    });
    const { port, ca } = await server(t, budget);
    const sockets = await within(
      '12 connections to be open',
      Promise.all(
        Array.from(
          { length: 12 },
          () =>
            new Promise<TLSSocket>((resolve) => {
              const s = connect({ host: '127.0.0.1', port, ca }, () => resolve(s));
            }),
        ),
      ),
    );
    t.teardown(() => {
      for (const s of sockets) s.destroy();
    });
    // All written in one turn: the server reads them in one poll phase.
    const statuses = sockets.map(
      (s) =>
        new Promise<string>((resolve) => {
          s.once('data', (d) => resolve(/^HTTP\/1\.1 (\d+)/.exec(String(d))?.[1] ?? String(d).slice(0, 40)));
          s.once('close', () => resolve('closed'));
          s.write('GET / HTTP/1.1\r\nHost: test\r\n\r\n');
        }),
    );
    t.same(await within('12 answers', Promise.all(statuses)), Array(12).fill('200'), 'twelve answered 200');
    t.same(budget.inFlight, { requests: 0, bytes: 0 }, 'and nothing is held after');
  },
);
