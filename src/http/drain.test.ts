// Draining (docs/design.md §9): between a stop signal and its endpoint's removal, a replica goes on
// answering, but says it is not ready and closes every connection after its answer, so that a
// client's next request (the apiserver's next admission call) opens a new connection, which the
// Service sends to a replica that is ready. Without it, a keep-alive connection would carry the next
// request to a replica about to close.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { writeDevCertificates } from '../certs/dev.js';
import { startHttpsServer } from './https-server.js';

const dir = mkdtempSync(join(tmpdir(), 'https-drain-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const files = await writeDevCertificates({ out: dir, service: 'server', namespace: 'test' });
const caPem = readFileSync(files.caFile, 'utf8');

/** One GET on the keep-alive agent: its status, Connection header and the socket it went over. */
function get(port: number, agent: Agent) {
  return new Promise<{ status?: number; connection?: string; socket: object }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', ca: caPem, agent }, (res) => {
      res.resume();
      res.on('end', () =>
        resolve({ status: res.statusCode, connection: res.headers.connection, socket: req.socket as object }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

t.test('a draining server answers, is not ready, and closes each connection after its answer', async (t) => {
  const server = await startHttpsServer({
    name: 'test',
    handler: (_req, res) => res.end('ok'),
    port: 0,
    host: '127.0.0.1',
    timeoutMs: 10_000,
    certFile: files.certFile,
    keyFile: files.keyFile,
    logger: pino({ level: 'silent' }),
  });
  t.teardown(() => server.close());
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  t.teardown(() => agent.destroy());

  const first = await get(server.port, agent);
  const second = await get(server.port, agent);
  t.equal(first.status, 200);
  t.equal(second.socket, first.socket, 'before: requests share one kept-alive connection');
  t.ok(server.serving(), 'before: ready');

  server.drain();
  t.notOk(server.serving(), 'draining: not ready');
  const third = await get(server.port, agent);
  t.equal(third.status, 200, 'draining: still answered');
  t.equal(third.connection, 'close', 'draining: the answer closes its connection');
  const fourth = await get(server.port, agent);
  t.equal(fourth.status, 200);
  t.not(fourth.socket, third.socket, 'the next request came on a new connection');
});
