// The webhook bench's load generator says why a request failed (scripts/bench-load.js): a server that
// refuses a connection before TLS (a connection cap) and one that answers 503 are told apart.
import { once } from 'node:events';
import { createServer as createHttpsServer, Agent as HttpsAgent } from 'node:https';
import { createServer, type Server } from 'node:net';
import t from 'tap';
import { failureOf, send } from '../../scripts/bench-load.js';
import { createAuthority } from '../../src/certs/authority.js';

async function listening(server: Server): Promise<number> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (typeof address !== 'object' || address === null) throw new Error('no port');
  return address.port;
}

t.test('a connection closed before TLS: the transport error', async (t) => {
  const server = createServer((socket) => socket.destroy());
  const port = await listening(server);
  t.teardown(() => server.close());
  const agent = new HttpsAgent({ keepAlive: false });
  const res = await send(agent, port, '/validate', '{}');
  agent.destroy();
  t.equal(res.status, 0);
  t.match(failureOf(res), /socket disconnected before secure TLS connection was established|ECONNRESET/);
});

t.test('a refusal: its status and the start of its answer', async (t) => {
  const ca = await createAuthority('bench-load-test');
  const serving = await ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
  const body = JSON.stringify({ error: 'the webhook server is serving its limit of 64 requests at once' });
  const server = createHttpsServer({ cert: serving.certPem, key: serving.keyPem }, (_, res) =>
    res.writeHead(503, { 'content-type': 'application/json' }).end(body),
  );
  const port = await listening(server);
  t.teardown(() => server.close());
  const agent = new HttpsAgent({ keepAlive: false, ca: ca.certPem });
  const res = await send(agent, port, '/validate', '{}');
  agent.destroy();
  t.equal(failureOf(res), `HTTP 503 ${body}`);
});
