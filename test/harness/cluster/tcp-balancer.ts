// A Service in miniature for tests that run several replicas on one host: a TCP listener on 127.0.0.1
// that hands each connection to the next backend in turn (TLS passes through untouched), skipping a
// backend that refuses the connection, as kube-proxy stops sending to a pod that is gone.
import { connect, createServer, type Server, type Socket } from 'node:net';

export interface TcpBalancer {
  port: number;
  /** Connections handed to each backend port so far. */
  connections: Map<number, number>;
  close(): Promise<void>;
}

export async function startTcpBalancer(backends: () => number[]): Promise<TcpBalancer> {
  const connections = new Map<number, number>();
  const open = new Set<Socket>();
  let next = 0;
  const forward = (client: Socket, tries: number) => {
    const ports = backends();
    if (tries >= ports.length) {
      client.destroy();
      return;
    }
    const port = ports[next++ % ports.length] as number;
    const upstream = connect({ host: '127.0.0.1', port });
    let connected = false;
    upstream.once('connect', () => {
      connected = true;
      connections.set(port, (connections.get(port) ?? 0) + 1);
      open.add(upstream);
      client.once('close', () => upstream.destroy());
      upstream.once('close', () => {
        open.delete(upstream);
        client.destroy();
      });
      client.pipe(upstream).pipe(client);
      client.resume();
    });
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      // Refused before anything was sent: another backend can take the connection.
      if (!connected && err.code === 'ECONNREFUSED' && !client.destroyed) forward(client, tries + 1);
      else client.destroy();
    });
  };
  const server: Server = createServer({ pauseOnConnect: true }, (client) => {
    open.add(client);
    client.once('close', () => open.delete(client));
    client.on('error', () => client.destroy());
    forward(client, 0);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the balancer has no port');
  return {
    port: address.port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
