import { createServer } from 'node:net';

/**
 * A port of `host` (default loopback) that was free a moment ago (for servers that cannot be handed a
 * listener).
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
