// The shared plumbing of the metrics and probe servers: bind, report the bound address, close.
import { createServer, type RequestListener, type Server, type ServerOptions } from 'node:http';

export interface ListenAddress {
  /** Default '0.0.0.0' (every interface, as in a pod). */
  host?: string;
  /** 0 picks a free port (tests). */
  port: number;
}

export interface ListenOptions {
  /** Node's options for the server (e.g. its timers' check interval). */
  server?: ServerOptions;
  /** Sees the server before it listens (e.g. to bound its connections). */
  prepare?: (server: Server) => void;
}

export async function listen(
  handler: RequestListener,
  address: ListenAddress,
  opts: ListenOptions = {},
): Promise<Server> {
  const server = createServer(opts.server ?? {}, handler);
  opts.prepare?.(server);
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
