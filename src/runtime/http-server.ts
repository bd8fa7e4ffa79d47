// The shared plumbing of the metrics and probe servers: bind, report the bound address, close.
import { createServer, type RequestListener, type Server } from 'node:http';

export interface ListenAddress {
  /** Default '0.0.0.0' (every interface, as in a pod). */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export async function listen(handler: RequestListener, address: ListenAddress): Promise<Server> {
  const server = createServer(handler);
  // A scraper or kubelet that keeps a connection open must not hold up shutdown for long.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(address.port, address.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server): number {
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

export async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}
