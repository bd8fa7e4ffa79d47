// Credentials are resolved from the kubeconfig once; a dynamic one (an auth provider or exec plugin) is
// re-resolved when due, and any after a 401 answer.
import { createServer } from 'node:http';
import { KubeConfig, type User } from '@kubernetes/client-node';
import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { isApiStatus } from './api-error.js';
import { KubeClient } from './kube-client.js';
import { CREDENTIAL_REFRESH_MS, KubeCredentials } from './kube-credentials.js';

function kubeConfig(server: string, user: Partial<User>): { kc: KubeConfig; applied: () => number } {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server, skipTLSVerify: true }],
    users: [{ name: 'u', ...user }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  let applied = 0;
  const apply = kc.applyToHTTPSOptions.bind(kc);
  kc.applyToHTTPSOptions = (opts) => {
    applied++;
    return apply(opts);
  };
  return { kc, applied: () => applied };
}

/** An auth provider whose token the test rotates. */
function rotatingProvider(kc: KubeConfig): { rotate: (token: string) => void } {
  let token = 'first';
  kc.addAuthenticator({
    isAuthProvider: (user) => user.authProvider?.name === 'rotating',
    applyAuthentication: async (_user, opts) => {
      opts.headers = { ...opts.headers, Authorization: `Bearer ${token}` };
    },
  });
  return { rotate: (next) => (token = next) };
}

t.test('static credentials are resolved once, with the trailing slash of the server dropped', async (t) => {
  const { kc, applied } = kubeConfig('https://example.test:6443//', { token: 'abc' });
  const clock = new ManualClock();
  const creds = new KubeCredentials(kc, clock);
  const first = await creds.get();
  t.equal(first.server, 'https://example.test:6443');
  t.equal(first.headers.Authorization, 'Bearer abc');
  clock.advance(3_600_000);
  t.equal(creds.get(), first, 'later calls answer synchronously with the same object');
  t.equal(applied(), 1);
  creds.invalidate();
  t.same((await creds.get()).headers, first.headers);
  t.equal(applied(), 2, 'resolved again after invalidate');
});

t.test('a dynamic credential is re-resolved once due, concurrent callers sharing the refresh', async (t) => {
  const { kc, applied } = kubeConfig('https://example.test', {
    authProvider: { name: 'rotating', config: {} },
  });
  const { rotate } = rotatingProvider(kc);
  const clock = new ManualClock();
  const creds = new KubeCredentials(kc, clock);
  t.equal((await creds.get()).headers.Authorization, 'Bearer first');
  rotate('second');
  clock.advance(CREDENTIAL_REFRESH_MS - 1);
  t.equal((await creds.get()).headers.Authorization, 'Bearer first', 'not due yet');
  clock.advance(1);
  const both = await Promise.all([creds.get(), creds.get()]);
  t.equal(both[0].headers.Authorization, 'Bearer second');
  t.equal(both[1], both[0]);
  t.equal(applied(), 2);
});

t.test('a 401 answer makes the client resolve its credentials again', async (t) => {
  const seen: (string | undefined)[] = [];
  const server = createServer((req, res) => {
    seen.push(req.headers.authorization);
    res.writeHead(seen.length === 2 ? 401 : 200, { 'Content-Type': 'application/json' });
    res.end(seen.length === 2 ? '{"kind":"Status","reason":"Unauthorized"}' : '{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const { kc, applied } = kubeConfig(`http://127.0.0.1:${port}`, {
    authProvider: { name: 'rotating', config: {} },
  });
  const { rotate } = rotatingProvider(kc);
  const client = new KubeClient(kc, { clock: new ManualClock() });
  t.teardown(() => client.close());
  await client.request('GET', '/api');
  rotate('second');
  const refused = await client.request('GET', '/api').catch((err: unknown) => err);
  t.ok(isApiStatus(refused, 401), 'the old token is refused: 401');
  await client.request('GET', '/api');
  t.same(seen, ['Bearer first', 'Bearer first', 'Bearer second']);
  t.equal(applied(), 2);
});
