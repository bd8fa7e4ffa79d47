// A kubeconfig's proxy-url is honoured: calls reach the apiserver through an HTTP CONNECT proxy or a
// SOCKS5 proxy (both small real servers here, speaking RFC 9110's CONNECT and RFC 1928), and a scheme
// undici does not speak is refused with the field named. Without a proxy, calls share keep-alive
// connections, and a new TLS material (an exec plugin's rotated certificate) opens new ones.
import { createServer as createHttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { KubeConfig, type User } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { KubeClient } from './kube-client.js';
import { CREDENTIAL_REFRESH_MS } from './kube-credentials.js';

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** The apiserver stand-in: answers every GET with its path, counting the connections made to it. */
async function apiserver(t: Test): Promise<{ port: number; connections: () => number }> {
  let connections = 0;
  const server = createHttpServer((req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ path: req.url }));
  });
  server.on('connection', () => connections++);
  const port = await listen(server);
  t.teardown(() => server.close());
  return { port, connections: () => connections };
}

function config(server: string, proxyUrl?: string, user: Partial<User> = {}): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true, ...(proxyUrl ? { proxyUrl } : {}) }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

function tunnel(client: Socket, host: string, port: number, ready: () => void): void {
  const upstream = connect(port, host, () => {
    ready();
    upstream.pipe(client).pipe(upstream);
  });
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
}

t.test('through an HTTP proxy: a CONNECT to the server, then the call', async (t) => {
  const api = await apiserver(t);
  const asked: string[] = [];
  const proxy = createHttpServer((_req, res) => res.writeHead(405).end());
  proxy.on('connect', (req, socket: Socket) => {
    asked.push(req.url ?? '');
    const [host = '', port] = (req.url ?? '').split(':');
    tunnel(socket, host, Number(port), () => socket.write('HTTP/1.1 200 Connection Established\r\n\r\n'));
  });
  const proxyPort = await listen(proxy);
  t.teardown(() => proxy.close());
  const client = new KubeClient(config(`http://127.0.0.1:${api.port}`, `http://127.0.0.1:${proxyPort}`));
  t.teardown(() => client.close());
  t.same(await client.request('GET', '/api/v1/namespaces', { query: { limit: 1 } }), {
    path: '/api/v1/namespaces?limit=1',
  });
  t.same(asked, [`127.0.0.1:${api.port}`]);
});

t.test('through a SOCKS5 proxy: the greeting, a CONNECT by address, then the call', async (t) => {
  const api = await apiserver(t);
  const asked: string[] = [];
  const proxy = createServer((socket) => {
    socket.once('data', (greeting) => {
      t.equal(greeting[0], 5, 'SOCKS version 5');
      socket.write(Buffer.from([5, 0])); // no authentication
      socket.once('data', (request) => {
        t.same([...request.subarray(0, 3)], [5, 1, 0], 'CONNECT');
        const type = request[3];
        const hostEnd = type === 1 ? 8 : 5 + (request[4] ?? 0);
        const host = type === 1 ? request.subarray(4, 8).join('.') : request.subarray(5, hostEnd).toString();
        const port = request.readUInt16BE(hostEnd);
        asked.push(`${host}:${port}`);
        tunnel(socket, host, port, () => socket.write(Buffer.from([5, 0, 0, 1, 0, 0, 0, 0, 0, 0])));
      });
    });
  });
  const proxyPort = await listen(proxy);
  t.teardown(() => proxy.close());
  const client = new KubeClient(config(`http://127.0.0.1:${api.port}`, `socks5://127.0.0.1:${proxyPort}`));
  t.teardown(() => client.close());
  t.same(await client.request('GET', '/version'), { path: '/version' });
  t.same(asked, [`127.0.0.1:${api.port}`]);
});

t.test('a proxy-url scheme undici does not speak is refused, naming it', async (t) => {
  const client = new KubeClient(config('http://127.0.0.1:1', 'socks4://127.0.0.1:1080'));
  t.teardown(() => client.close());
  await t.rejects(client.request('GET', '/version'), {
    message: `the kubeconfig's proxy-url "socks4:" is not supported: use an http, https or socks5 proxy`,
  });
});

t.test('calls share a connection; a rotated certificate opens a new one', async (t) => {
  const api = await apiserver(t);
  let cert = 'first certificate';
  const kc = config(`http://127.0.0.1:${api.port}`, undefined, {
    authProvider: { name: 'cert', config: {} },
  });
  kc.addAuthenticator({
    isAuthProvider: (user) => user.authProvider?.name === 'cert',
    applyAuthentication: async (_user, opts) => {
      opts.cert = Buffer.from(cert);
    },
  });
  const clock = new ManualClock();
  const client = new KubeClient(kc, { clock });
  t.teardown(() => client.close());
  // undici frees a connection one event-loop turn after its answer: a call made sooner takes another.
  const call = async () => {
    await client.request('GET', '/version');
    await new Promise(setImmediate);
  };
  for (let i = 0; i < 3; i++) await call();
  clock.advance(CREDENTIAL_REFRESH_MS);
  await call();
  t.equal(api.connections(), 1, 'the same material, re-resolved, keeps the connection');
  cert = 'second certificate';
  clock.advance(CREDENTIAL_REFRESH_MS);
  await call();
  t.equal(api.connections(), 2, 'a new material, a new connection');
});
