// The listener's caps on a plain TCP server, counted exactly: the listener's cap holds for trusted
// sources too, each refusal counted (before, Node's server.maxConnections closed them uncounted), and
// a flood of refused connections, all in one burst, leaves the trusted source its whole reserve.
// Linux routes all of 127.0.0.0/8 to lo, so each address below is a distinct client.
import { connect, createServer, type Server, type Socket } from 'node:net';
import t, { type Test } from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS, limitConnections } from './connection-limits.js';

async function listener(t: Test, limits: ConnectionLimits) {
  const server: Server = createServer(() => {});
  const counts = limitConnections(server, limits);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise((resolve) => server.close(resolve)));
  const port = (server.address() as { port: number }).port;
  const sockets: Socket[] = [];
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  /** `count` connections from `from`, each settled once accepted (stays open) or closed. */
  const open = (from: string, count: number) =>
    Promise.all(
      Array.from(
        { length: count },
        () =>
          new Promise<Socket>((resolve) => {
            const socket = connect({ host: '127.0.0.1', port, localAddress: from });
            sockets.push(socket);
            socket.on('error', () => {});
            socket.once('connect', () => resolve(socket));
          }),
      ),
    );
  const held = () => [...counts.open().values()].reduce((a, b) => a + b, 0);
  return { server, counts, open, held };
}

const limits = (overrides: Partial<ConnectionLimits>): ConnectionLimits => ({
  ...DEFAULT_CONNECTION_LIMITS,
  headerTimeoutMs: 600_000,
  ...overrides,
});

t.test('the listener cap holds for trusted sources too', async (t) => {
  const l = await listener(
    t,
    limits({ maxPerListener: 4, reservedForTrusted: 2, maxPerAddress: 4, trustedSources: ['127.0.0.0/24'] }),
  );
  await l.open('127.0.0.3', 3);
  await l.open('127.0.0.4', 3);
  await waitFor('six connections held or refused', () => l.held() + l.counts.refused() === 6);
  t.equal(l.held(), 4, 'four held, the listener cap');
  t.equal(l.counts.refused(), 2);
});

t.test('a flood of refused connections leaves the trusted source its reserve', async (t) => {
  const l = await listener(
    t,
    limits({
      maxPerListener: 32,
      reservedForTrusted: 8,
      maxPerAddress: 32,
      maxPerUnprovenAddress: 32,
      trustedSources: ['127.0.0.3/32'],
    }),
  );
  // 16 addresses × 32: the untrusted share (24) held, 488 refused at once, all in one burst.
  const flood = Array.from({ length: 16 }, (_, i) => l.open(`127.0.0.${10 + i}`, 32));
  const trusted = l.open('127.0.0.3', 8);
  await Promise.all([...flood, trusted]);
  await waitFor('every connection held or refused', () => l.held() + l.counts.refused() === 16 * 32 + 8);
  t.equal(l.counts.open().get('127.0.0.3'), 8, 'the trusted source holds the whole reserve');
  t.equal(l.held(), 32);
});
