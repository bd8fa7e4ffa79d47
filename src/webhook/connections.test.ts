// One client address cannot hold the admission webhook's listener (docs/security.md "Connections"): the
// bare-connect attack (1,024 TCP connects that never start a TLS handshake; before, they filled the
// listener's 1,024 slots until the handshake timeout, and the apiserver's admission calls failed) keeps
// only its address's cap of connections, while another address's valid and invalid reviews are answered,
// correctly. Linux routes all of 127.0.0.0/8 to lo: the attacker connects from 127.0.0.2, the
// "apiserver" from 127.0.0.3. Then: a connection that sends nothing is closed after the header timeout.
// Then 16 addresses × 64 connections (the listener's 1,024, which before failed admission cluster-wide):
// connects that never finish a handshake hold 16 an address, and so do connections that finish one and
// a request (N6': a request once raised an address's cap to 64, so 16 addresses held 1,024 again); the
// trusted apiserver (a configured range, or proven by its client certificate) is answered from the
// reserve.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import pino from 'pino';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { allowAll } from '../../test/harness/fakes/access-reviewers.js';
import { waitFor, within } from '../../test/harness/util/wait.js';
import { staticConfig } from '../api/index.js';
import { createAuthority } from '../certs/authority.js';
import { loadDefaultConfig } from '../config/load.js';
import type { ConnectionLimits } from '../http/connection-limits.js';
import { DEFAULT_CONNECTION_LIMITS } from '../http/connection-limits.js';
import { packageRoot } from '../util/package-root.js';
import { admissionRoutes, webhookPath } from './handlers.js';
import { startWebhookServer } from './server.js';

const ATTACKER = '127.0.0.2';
const APISERVER = '127.0.0.3';

const config = loadDefaultConfig();
const taskRun = parseYaml(readFileSync(join(packageRoot(), 'config', 'samples', 'taskrun.yaml'), 'utf8'));

async function webhookServer(t: Test, connections: ConnectionLimits, clientCA = false) {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-connections-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createAuthority();
  const serving = await ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
  writeFileSync(join(dir, 'tls.crt'), serving.certPem);
  writeFileSync(join(dir, 'tls.key'), serving.keyPem);
  writeFileSync(join(dir, 'ca.crt'), ca.certPem);
  const server = await startWebhookServer({
    certFile: join(dir, 'tls.crt'),
    keyFile: join(dir, 'tls.key'),
    ...(clientCA ? { clientCAFile: join(dir, 'ca.crt') } : {}),
    routes: admissionRoutes({ config: staticConfig(config), reviewer: allowAll() }),
    registry: new Registry(),
    logger: pino({ level: 'silent' }),
    port: 0,
    host: '127.0.0.1',
    connections,
  });
  t.teardown(() => server.close());
  return { server, ca: ca.certPem, authority: ca };
}

/** A TaskRun create reviewed from `from`: allowed or denied, or how it failed. */
function review(
  at: { port: number; ca: string; client?: { cert: string; key: string } },
  from: string,
  agent: string,
): Promise<{ allowed?: boolean; error?: string }> {
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: `u-${agent}`,
      kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
      operation: 'CREATE',
      namespace: 'team-a',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object: { ...taskRun, spec: { ...taskRun.spec, agent } },
    },
  });
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: at.port,
        localAddress: from,
        path: `${webhookPath('validate', 'TaskRun')}?timeout=5s`,
        method: 'POST',
        ca: at.ca,
        ...(at.client ?? {}),
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          try {
            resolve({ allowed: JSON.parse(text).response?.allowed });
          } catch {
            resolve({ error: `status ${res.statusCode}: ${text.slice(0, 200)}` });
          }
        });
      },
    );
    req.on('error', (err) => resolve({ error: err.message }));
    req.end(body);
  });
}

/** Three reviews each way from `from`: valid ones allowed, invalid ones denied. */
async function answered(at: Parameters<typeof review>[0], from: string) {
  const answers = [];
  for (let i = 0; i < 3; i++) {
    answers.push(await review(at, from, 'rex'));
    answers.push(await review(at, from, 'no-such-agent'));
  }
  return answers;
}
const RIGHT = [
  { allowed: true },
  { allowed: false },
  { allowed: true },
  { allowed: false },
  { allowed: true },
  { allowed: false },
];

/** `count` bare TCP connections from `from` that never send a byte; destroyed at teardown. */
function bareConnects(t: Test, port: number, from: string, count: number): Socket[] {
  const sockets = Array.from({ length: count }, () => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: from });
    socket.on('error', () => {});
    return socket;
  });
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  return sockets;
}

t.test('1,024 bare connects from one address hold its cap; another address is answered', async (t) => {
  // The shipped caps; a header timeout long enough that the attack's connections stay while we look.
  const limits = { ...DEFAULT_CONNECTION_LIMITS, headerTimeoutMs: 600_000 };
  const { server, ca } = await webhookServer(t, limits);
  const at = { port: server.port, ca };
  t.same(await review(at, APISERVER, 'rex'), { allowed: true }, 'a valid review before the attack');

  const attack = bareConnects(t, server.port, ATTACKER, 1024);
  const held = () => server.connections.open().get(ATTACKER) ?? 0;
  await waitFor(
    'every attacking connection to be accepted or refused',
    () => held() + server.connections.refused() === 1024,
  );
  // An address that is not a trusted source holds the lower cap (the higher, maxPerAddress, is for
  // trusted sources).
  const cap = limits.maxPerUnprovenAddress;
  t.equal(held(), cap, `the attacker holds its address's cap (${cap})`);
  t.equal(server.connections.refused(), 1024 - cap, 'the rest were closed at once');
  await waitFor(
    'the client side of the refused connections to close',
    () => attack.filter((s) => !s.destroyed).length <= cap,
  );

  t.same(
    await answered(at, APISERVER),
    RIGHT,
    'during the attack, valid reviews are allowed and invalid ones denied',
  );
  const more = await review(at, ATTACKER, 'rex');
  t.ok(more.error, `the attacking address gets no more (${more.error})`);

  for (const s of attack) s.destroy();
  await waitFor("the attacker's connections to be released", () => held() === 0);
  t.same(await review(at, ATTACKER, 'rex'), { allowed: true }, 'and once they are gone it is served again');
});

/**
 * Resolves once the server has closed `s`, with what it sent before. The client reads: a paused socket
 * with unread bytes (Node's 408) never emits 'end', nor 'close', however long ago the server closed it.
 */
function closedByServer(s: Socket | undefined): Promise<{ sent: string }> {
  let sent = '';
  s?.on('data', (d) => (sent += d));
  return new Promise((resolve) => s?.once('close', () => resolve({ sent })));
}

t.test('a connection that sends no request is closed after the header timeout', async (t) => {
  const { server, ca } = await webhookServer(t, { ...DEFAULT_CONNECTION_LIMITS, headerTimeoutMs: 500 });
  // One that never starts the handshake, one that completes it and sends no headers.
  const [bare] = bareConnects(t, server.port, ATTACKER, 1);
  // (localAddress reaches net.connect; @types/node leaves it out of the TLS options.)
  const silent = connectTls({ host: '127.0.0.1', port: server.port, ca, ...{ localAddress: ATTACKER } });
  silent.on('error', () => {});
  t.teardown(() => silent.destroy());
  const [bareClosed, silentClosed] = [closedByServer(bare), closedByServer(silent)];
  await within('the server to close the connection that never started TLS', bareClosed);
  const { sent } = await within('the server to close the connection that sent no headers', silentClosed);
  // Our timer closes it without a word; Node's own header check (every connectionsCheckingInterval)
  // writes a 408 first: which runs first depends on how late the event loop is.
  t.match(sent, /^(|HTTP\/1\.1 408 Request Timeout\r\n[\s\S]*)$/, 'the server sent nothing, or a 408');
  await waitFor('the server to release their slots', () => server.connections.open().size === 0);
  t.pass('both closed by the server, and their slots released');
});

/** The 16 attacking addresses of the attacks below (none of them the "apiserver"'s). */
const ATTACKERS = Array.from({ length: 16 }, (_, i) => `127.0.0.${10 + i}`);

t.test(
  '16 addresses × 64 bare connects hold 16 each; an address not trusted is still answered',
  async (t) => {
    const limits = { ...DEFAULT_CONNECTION_LIMITS, headerTimeoutMs: 600_000 };
    const { server, ca } = await webhookServer(t, limits);
    const at = { port: server.port, ca };
    for (const from of ATTACKERS) bareConnects(t, server.port, from, 64);
    const held = () => ATTACKERS.reduce((n, a) => n + (server.connections.open().get(a) ?? 0), 0);
    await waitFor(
      'every attacking connection to be accepted or refused',
      () => held() + server.connections.refused() === 16 * 64,
    );
    t.equal(
      held(),
      16 * limits.maxPerUnprovenAddress,
      `each address that never finished a handshake holds ${limits.maxPerUnprovenAddress}, not 64: ${held()} of the listener's ${limits.maxPerListener}`,
    );
    t.same(await answered(at, APISERVER), RIGHT, 'the apiserver, trusted or not, is answered');
  },
);

/** The client's side of connections: those the server answered, and of them those it closed since. */
interface ClientSide {
  answered: number;
  closedAfterAnswer: number;
}

/**
 * `count` TLS connections from `from` that each complete the handshake and one request (a 404), then stay
 * open, kept alive; destroyed at teardown. Resolves once each was answered or closed.
 */
async function provenConnections(
  t: Test,
  at: { port: number; ca: string },
  from: string,
  count: number,
  side: ClientSide,
) {
  const sockets: Socket[] = [];
  t.teardown(() => {
    for (const s of sockets) s.destroy();
  });
  const one = () =>
    new Promise<void>((resolve) => {
      const socket = connectTls({ host: '127.0.0.1', port: at.port, ca: at.ca, ...{ localAddress: from } });
      sockets.push(socket);
      let answered = false;
      socket.on('error', () => resolve());
      socket.once('close', () => {
        if (answered) side.closedAfterAnswer++;
        resolve();
      });
      const ask = () => socket.write('GET /nothing HTTP/1.1\r\nHost: webhook\r\n\r\n');
      socket.once('secureConnect', () => {
        ask();
        // A request every 5 s keeps the connection from the server's 30 s keep-alive timeout, however
        // long opening all of them takes on a loaded machine.
        const again = setInterval(ask, 5_000);
        socket.once('close', () => clearInterval(again));
      });
      socket.once('data', () => {
        answered = true;
        side.answered++;
        resolve();
      });
    });
  await one(); // a request first: it must not raise the address's cap
  await Promise.all(Array.from({ length: count - 1 }, one));
  return sockets;
}

/** Connections from the attackers open now. */
const heldBy = (server: { connections: { open(): ReadonlyMap<string, number> } }) =>
  ATTACKERS.reduce((n, a) => n + (server.connections.open().get(a) ?? 0), 0);

t.test(
  "16 addresses × 64 connections that each finish a handshake and a request first hold 16 each: the apiserver's calls are answered",
  async (t) => {
    // The shipped limits: no trusted source, so the apiserver is an address like the attackers'.
    const limits = { ...DEFAULT_CONNECTION_LIMITS, headerTimeoutMs: 600_000 };
    const { server, ca } = await webhookServer(t, limits);
    const at = { port: server.port, ca };
    const side: ClientSide = { answered: 0, closedAfterAnswer: 0 };
    for (const from of ATTACKERS) await provenConnections(t, at, from, 64, side);
    const cap = limits.maxPerUnprovenAddress;
    t.equal(heldBy(server), 16 * cap, `a request sent does not raise an address's cap: ${cap} each, not 64`);
    t.equal(
      server.connections.refused(),
      16 * 64 - side.answered,
      'the rest were closed at once, unanswered',
    );
    t.same(
      await answered(at, APISERVER),
      RIGHT,
      "the apiserver's calls, from an untrusted address, are answered",
    );
  },
);

t.test(
  'attackers filling the untrusted share: the reserve keeps the trusted apiserver answered',
  async (t) => {
    const limits = {
      ...DEFAULT_CONNECTION_LIMITS,
      headerTimeoutMs: 600_000,
      // 16 untrusted addresses at their cap fill the untrusted share exactly.
      maxPerListener:
        16 * DEFAULT_CONNECTION_LIMITS.maxPerUnprovenAddress + DEFAULT_CONNECTION_LIMITS.reservedForTrusted,
      trustedSources: [`${APISERVER}/32`],
    };
    const { server, ca } = await webhookServer(t, limits);
    const at = { port: server.port, ca };
    const side: ClientSide = { answered: 0, closedAfterAnswer: 0 };
    for (const from of ATTACKERS) await provenConnections(t, at, from, 64, side);
    const held = heldBy(server);
    const share = limits.maxPerListener - limits.reservedForTrusted;
    t.equal(
      held,
      share,
      `the attackers hold the untrusted share (${share}), not the listener's ${limits.maxPerListener}`,
    );
    // A held connection the server closed meanwhile (on a loaded machine, it was seen to happen) frees
    // its slot for a later one: what was refused is what was never answered, exactly.
    t.comment(`answered ${side.answered}, of which closed since ${side.closedAfterAnswer}`);
    t.equal(held, side.answered - side.closedAfterAnswer, 'the connections held are those answered and open');
    const stranger = await review(at, '127.0.0.40', 'rex');
    t.ok(stranger.error, `an untrusted address gets no slot while the share is full (${stranger.error})`);
    t.same(await answered(at, APISERVER), RIGHT, 'the trusted apiserver takes the reserve and is answered');
  },
);

t.test('with a client CA, the address that presented its certificate takes the reserve', async (t) => {
  const limits = {
    ...DEFAULT_CONNECTION_LIMITS,
    headerTimeoutMs: 600_000,
    maxPerListener: 64,
    reservedForTrusted: 16,
    maxPerUnprovenAddress: 16,
  };
  const { server, ca, authority } = await webhookServer(t, limits, true);
  const cert = await authority.issueClient({ commonName: 'kube-apiserver' });
  const apiserver = { port: server.port, ca, client: { cert: cert.certPem, key: cert.keyPem } };
  t.same(
    await review(apiserver, APISERVER, 'rex'),
    { allowed: true },
    'the apiserver, proven by its certificate',
  );
  // Three addresses that cannot finish the handshake (no certificate) fill the untrusted share.
  for (const from of ATTACKERS.slice(0, 3)) bareConnects(t, server.port, from, 16);
  await waitFor('the untrusted share to be full', () =>
    ATTACKERS.slice(0, 3).every((a) => server.connections.open().get(a) === 16),
  );
  const stranger = await review({ ...apiserver, client: undefined }, '127.0.0.40', 'rex');
  t.ok(stranger.error, `another address gets no slot (${stranger.error})`);
  t.same(await answered(apiserver, APISERVER), RIGHT, 'the proven apiserver is answered from the reserve');
});
