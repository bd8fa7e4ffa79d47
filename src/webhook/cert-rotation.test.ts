// Serving-certificate rotation under load. The cert and key live in a directory laid out the way the
// kubelet writes a Secret volume (files are symlinks through `..data`, which is swapped atomically), and
// are replaced while several keep-alive clients and a stream of new connections send reviews:
//   CA1 pair → CA2 pair (reloaded) → mismatched pair, half-written cert, empty files (each rejected) →
//   CA3 pair (reloaded).
// No request may fail; connections opened after a reload present the new certificate; connections
// already open keep working; a broken pair never replaces the good one. Each phase lasts until the load
// has shown what it is to show (a few requests of each kind), however long that takes.

import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import pino from 'pino';
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import { parse as parseYaml } from 'yaml';
import { startVolumeWebhookServer } from '../../test/harness/operator/webhook.js';
import { handshake, secretVolumeWriter } from '../../test/harness/util/tls.js';
import { scaled, waitFor } from '../../test/harness/util/wait.js';
import { createAuthority, type KeyPair } from '../certs/authority.js';
import { packageRoot } from '../util/package-root.js';
import { webhookPath } from './handlers.js';

/** The (scaled) limit on the server noticing a change (watch events, else its 250 ms poll). */
const NOTICE_MS = 30_000;
/** How many requests of a kind a phase waits for before its assertions. */
const ENOUGH = 3;

const root = packageRoot();
const [ca1, ca2, ca3, stray] = await Promise.all([
  createAuthority('rotation-ca-1'),
  createAuthority('rotation-ca-2'),
  createAuthority('rotation-ca-3'),
  createAuthority('rotation-stray'),
]);
const issue = (ca: typeof ca1) => ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
const [pair1, pair2, pair3, strayPair] = await Promise.all([
  issue(ca1),
  issue(ca2),
  issue(ca3),
  issue(stray),
]);
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;
/** What the server logs: a hash of the certificate file. */
const fileFingerprint = (pem: string) => createHash('sha256').update(pem).digest('hex').slice(0, 16);

// A Secret volume: the pair is swapped with one rename, as the kubelet does.
const dir = mkdtempSync(join(tmpdir(), 'webhook-rotation-'));
const writeSecretVolume = secretVolumeWriter(dir);
const volume = (pair: KeyPair) => ({ 'tls.crt': pair.certPem, 'tls.key': pair.keyPem });

// ---------------------------------------------------------------------------------------------------
// The server, with its log captured to see reloads and rejections as they happen.

interface LogLine {
  msg: string;
  fingerprint?: string;
  err?: string;
}
const logged: LogLine[] = [];
const logger = pino(
  { level: 'info' },
  {
    write(line: string) {
      const entry = JSON.parse(line) as LogLine;
      if (entry.msg !== 'admission review') logged.push(entry);
    },
  },
);
/**
 * The next log line matching `match` (logged from now on: the server runs in this process, so a line
 * logged after a file was written comes from a check that read it).
 */
function nextLog(match: (l: LogLine) => boolean, what: string): Promise<LogLine> {
  const from = logged.length;
  return waitFor(
    `a log line: ${what}`,
    (note) => {
      const since = logged.slice(from);
      note(since.slice(-3).map((l) => `${l.msg}${l.err ? `: ${l.err}` : ''}`));
      return since.find(match);
    },
    { timeoutMs: NOTICE_MS, intervalMs: 10 },
  );
}
const reloaded = () =>
  nextLog((l) => l.msg === 'webhook serving certificate reloaded', 'certificate reloaded');
/** A rejection for this cause (a previous phase's, such as its in-place write, may be logged late). */
const rejected = (cause: RegExp) =>
  nextLog((l) => /not reloaded/.test(l.msg) && cause.test(l.err ?? ''), `certificate rejected: ${cause}`);

writeSecretVolume(volume(pair1));
const server = await startVolumeWebhookServer(dir, new Registry(), logger);
t.teardown(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Load: keep-alive clients and new-connection clients, every answer recorded.

const ALL_CAS = [ca1.certPem, ca2.certPem, ca3.certPem];
const taskRun = parseYaml(readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8')) as Record<
  string,
  unknown
>;
let uids = 0;

interface Sample {
  client: string;
  /** When the request was sent (and, for a new connection, the handshake began). */
  started: number;
  ended: number;
  /** The SHA-256 fingerprint of the certificate the server presented on this connection. */
  fingerprint: string;
  socket: number;
  error?: string;
}
const samples: Sample[] = [];
const socketIds = new WeakMap<object, number>();
let sockets = 0;

function review(path: string, agent: Agent | false, client: string): Promise<void> {
  const uid = `rotation-${++uids}`;
  const body = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid,
      kind: { group: 'orchestrator.io', version: 'v1', kind: 'TaskRun' },
      operation: 'CREATE',
      namespace: 'rotation',
      userInfo: { username: 'alice', groups: ['system:authenticated'] },
      object: taskRun,
    },
  });
  const started = performance.now();
  return new Promise((resolve) => {
    const record = (fields: Partial<Sample>) => {
      samples.push({ client, started, ended: performance.now(), fingerprint: '', socket: -1, ...fields });
      resolve();
    };
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        path,
        method: 'POST',
        agent,
        ca: ALL_CAS,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const socket = res.socket as TLSSocket;
        if (!socketIds.has(socket)) socketIds.set(socket, ++sockets);
        const presented = socket.getPeerCertificate().fingerprint256;
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          text += d;
        });
        res.on('end', () => {
          let error: string | undefined;
          try {
            const response = JSON.parse(text).response;
            if (res.statusCode !== 200 || response?.uid !== uid || response?.allowed !== true)
              error = `status ${res.statusCode}: ${text.slice(0, 200)}`;
          } catch {
            error = `status ${res.statusCode}, not JSON: ${text.slice(0, 200)}`;
          }
          record({ fingerprint: presented, socket: socketIds.get(socket) ?? -1, error });
        });
        res.on('error', (err) => record({ error: err.message }));
      },
    );
    req.setTimeout(scaled(10_000), () => req.destroy(new Error(`no answer within ${scaled(10_000)} ms`)));
    req.on('error', (err) => record({ error: err.message }));
    req.end(body);
  });
}

let running = true;
const paths = [webhookPath('validate', 'TaskRun'), webhookPath('mutate', 'TaskRun')];
const keepAliveAgents = Array.from({ length: 4 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
const loops = [
  ...keepAliveAgents.map(async (agent, i) => {
    for (let n = 0; running; n++) await review(paths[n % 2] as string, agent, `keep-alive-${i}`);
  }),
  ...[0, 1].map(async (i) => {
    for (let n = 0; running; n++) await review(paths[n % 2] as string, false, `new-connection-${i}`);
  }),
];
t.teardown(async () => {
  running = false;
  await Promise.all(loops);
  for (const agent of keepAliveAgents) agent.destroy();
});

/** The certificate a fresh TLS connection is given, and whether a client trusting only `ca` accepts it. */
const probe = (ca: string) => handshake(server.port, { ca });
/** A client that offers TLS 1.1 at most (OpenSSL 3 refuses to offer it at its default security level). */
const tls11Client = () =>
  handshake(server.port, { minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' });
/** Requests sent on a new connection since `from`. */
const fresh = (from: number) =>
  samples.filter((s) => s.client.startsWith('new-connection') && s.started >= from);
/** Until at least ENOUGH requests on new connections were sent since `from` and answered. */
const freshLoad = (from: number, what: string) =>
  waitFor(`${ENOUGH} requests on new connections ${what}`, () => fresh(from).length >= ENOUGH);

// ---------------------------------------------------------------------------------------------------

t.test('rotation under load', async (t) => {
  const keepAliveSockets = () =>
    new Set(samples.filter((s) => s.client.startsWith('keep-alive')).map((s) => s.socket));
  await waitFor('an answer on each keep-alive connection', () => keepAliveSockets().size >= 4);
  await freshLoad(0, 'before any change');
  const before = await probe(ca1.certPem);
  t.match(before, { fingerprint: fingerprint(pair1.certPem), authorized: true }, 'serving the CA1 pair');
  const keepAliveBefore = keepAliveSockets();
  t.ok(keepAliveBefore.size >= 4, `${keepAliveBefore.size} keep-alive connections open`);

  await t.test('a new pair from a new CA is served to new connections', async (t) => {
    const swapped = performance.now();
    const reload = reloaded();
    writeSecretVolume(volume(pair2));
    const line = await reload;
    const noticed = performance.now();
    t.equal(line.fingerprint, fileFingerprint(pair2.certPem), 'the log names the new certificate');
    /** Requests since the reload on keep-alive connections opened before it. */
    const carriedOn = () =>
      samples.filter(
        (s) => s.client.startsWith('keep-alive') && s.started >= noticed && keepAliveBefore.has(s.socket),
      );
    await freshLoad(noticed, 'after the reload');
    await waitFor(
      `${ENOUGH} requests after the reload on connections opened before it`,
      () => carriedOn().length >= ENOUGH,
    );

    const after = fresh(noticed);
    t.ok(after.length >= 3, `${after.length} new connections after the reload`);
    t.same(
      [...new Set(after.map((s) => s.fingerprint))],
      [fingerprint(pair2.certPem)],
      'every connection opened after the reload got the CA2 certificate',
    );
    t.same(
      [
        ...new Set(
          fresh(0)
            .filter((s) => s.ended < swapped)
            .map((s) => s.fingerprint),
        ),
      ],
      [fingerprint(pair1.certPem)],
      'every connection answered before the swap had the CA1 certificate',
    );
    t.match(
      await probe(ca2.certPem),
      { fingerprint: fingerprint(pair2.certPem), authorized: true },
      'a client trusting only CA2 connects',
    );
    t.equal((await probe(ca1.certPem)).authorized, false, 'a client trusting only CA1 no longer verifies it');
    // A reload replaces the whole secure context: the server's minVersion must come with it.
    t.match(await tls11Client(), { error: /version/i }, 'a TLS 1.1 client is still refused');

    // Connections already open keep their certificate, and keep being served.
    const carried = carriedOn();
    t.ok(carried.length >= 3, `${carried.length} requests after the reload on connections opened before it`);
    t.same(
      [...new Set(carried.map((s) => s.fingerprint))],
      [fingerprint(pair1.certPem)],
      'those connections keep the certificate they were opened with',
    );
  });

  /** Asserts that every connection opened since `from` was given the CA2 certificate. */
  const stillCa2 = (t: Test, from: number) => {
    const during = fresh(from);
    t.ok(during.length >= 3, `${during.length} new connections meanwhile`);
    t.same([...new Set(during.map((s) => s.fingerprint))], [fingerprint(pair2.certPem)], "all got CA2's");
  };

  await t.test('a key that does not match the certificate is rejected; the pair in use stays', async (t) => {
    const from = performance.now();
    const rejection = rejected(/key values mismatch/);
    writeSecretVolume({ 'tls.crt': pair3.certPem, 'tls.key': strayPair.keyPem });
    t.ok(await rejection, 'rejected: the key does not match');
    await freshLoad(from, 'since the mismatched pair was written');
    stillCa2(t, from);
  });

  await t.test('a half-written certificate is rejected; the pair in use stays', async (t) => {
    const from = performance.now();
    const rejection = rejected(/PEM routines/);
    writeSecretVolume({
      'tls.crt': pair3.certPem.slice(0, pair3.certPem.length >> 1),
      'tls.key': pair3.keyPem,
    });
    t.ok(await rejection, 'rejected: the certificate is cut short');
    // The same written in place (not through the atomic swap) while the server watches and polls.
    const inPlace = rejected(/PEM routines/);
    writeFileSync(join(dir, 'tls.crt'), pair3.certPem.slice(0, 100));
    t.ok(await inPlace, 'rejected: the certificate cut short in place');
    await freshLoad(performance.now(), 'since then');
    stillCa2(t, from);
  });

  await t.test('an empty file (truncated, not yet written) is rejected; the pair in use stays', async (t) => {
    const from = performance.now();
    const emptyCert = rejected(/no start line/);
    writeSecretVolume({ 'tls.crt': '', 'tls.key': pair3.keyPem });
    t.ok(await emptyCert, 'rejected: the certificate file is empty');
    const emptyKey = rejected(/DECODER routines/);
    writeSecretVolume({ 'tls.crt': pair3.certPem, 'tls.key': '' });
    t.ok(await emptyKey, 'rejected: the key file is empty');
    await freshLoad(from, 'since the empty files were written');
    stillCa2(t, from);
  });

  await t.test('after the bad ones, a good pair is picked up again', async (t) => {
    const reload = reloaded();
    writeSecretVolume(volume(pair3));
    await reload;
    const noticed = performance.now();
    await freshLoad(noticed, 'after the reload');
    const after = fresh(noticed);
    t.ok(after.length >= 3, `${after.length} new connections after the reload`);
    t.same([...new Set(after.map((s) => s.fingerprint))], [fingerprint(pair3.certPem)], "all got CA3's");
  });

  // The load kept up through all of it (however long that took).
  await waitFor('100 requests in all', () => samples.length > 100);
  running = false;
  await Promise.all(loops);
  const failed = samples.filter((s) => s.error);
  t.ok(samples.length > 100, `${samples.length} requests during the rotations`);
  t.same(
    failed.slice(0, 10).map((s) => `${s.client}: ${s.error}`),
    [],
    `no request failed (${failed.length} of ${samples.length})`,
  );
});
