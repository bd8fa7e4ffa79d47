// Certificate reloading keeps the server's other TLS options: Node's setSecureContext resets every option
// it is not given (minVersion, ciphers...) to Node's defaults, so a reload must pass them again.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SecureContextOptions } from 'node:tls';
import { Registry } from 'prom-client';
import t from 'tap';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { handshake } from '../../test/harness/util/tls.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { createAuthority } from '../certs/authority.js';
import { certWatcherMetrics } from './certwatcher-metrics.js';
import { loadKeyPair, reloadCertificates } from './reloading-tls.js';

const ca = await createAuthority('reload-ca');
const issue = () => ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'] });
const [first, second] = await Promise.all([issue(), issue()]);
const dir = mkdtempSync(join(tmpdir(), 'reloading-tls-'));
const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
/** Replaces one file in one step, so that the poll never reads it half-written. */
const replace = (file: string, text: string) => {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
};
const write = (pair: typeof first) => {
  replace(files.certFile, pair.certPem);
  replace(files.keyFile, pair.keyPem);
};
write(first);
/** Events, or else the 50 ms poll, on a busy machine. */
/** The limit (before scaling) on noticing a change: events, else the short poll of these tests. */
const NOTICE_MS = 10_000;

// Stricter than Node's default (TLS 1.2), so that a reset to the default shows.
const tls: SecureContextOptions = { minVersion: 'TLSv1.3' };
const registry = new Registry();
const certificates = certWatcherMetrics(registry);
const serving = loadKeyPair(files, tls, certificates);
const server = createServer({ ...tls, ...serving }, (_req, res) => res.end('ok'));
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = (server.address() as AddressInfo).port;
const reloads: string[] = [];
const errors: string[] = [];
const stop = reloadCertificates(server, files, {
  tls,
  pollMs: 50,
  onReload: (f) => reloads.push(f),
  onError: (err) => errors.push(err.message),
  serving,
  metrics: certificates,
});
t.teardown(() => {
  stop();
  server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A handshake from a client trusting our CA, limited to `maxVersion`. */
const limitedTo = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
  handshake(port, { ca: ca.certPem, maxVersion, rejectUnauthorized: true });
const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256;

t.test('the minimum TLS version holds before and after a rotation', async (t) => {
  t.same(
    await limitedTo('TLSv1.3'),
    { protocol: 'TLSv1.3', fingerprint: fingerprint(first.certPem), authorized: true },
    'TLS 1.3',
  );
  t.match(await limitedTo('TLSv1.2'), { error: /version|protocol/i }, 'a TLS 1.2 client is refused');

  write(second);
  await waitFor('the new pair to be loaded', () => reloads.length > 0, { intervalMs: 20 });
  t.equal(reloads.length, 1, 'the new pair was loaded');

  t.same(
    await limitedTo('TLSv1.3'),
    { protocol: 'TLSv1.3', fingerprint: fingerprint(second.certPem), authorized: true },
    'new connections get the new certificate',
  );
  t.match(
    await limitedTo('TLSv1.2'),
    { error: /version|protocol/i },
    'a TLS 1.2 client is still refused after the rotation',
  );
});

t.test('a bad pair is reported once, however often it is read; the good one keeps serving', async (t) => {
  const serving = reloads.length;
  const reported = errors.length;
  replace(files.keyFile, first.keyPem);
  await waitFor('the mismatched pair to be refused', () => errors.length > reported, {
    timeoutMs: NOTICE_MS,
  });
  await sleep(500); // some polls of the same files
  t.equal(errors.length, reported + 1, 'reported once');
  t.match(errors[reported], /key values mismatch/);
  t.equal(reloads.length, serving, 'not served');
  t.match(await limitedTo('TLSv1.3'), { fingerprint: fingerprint(second.certPem) }, 'the last good pair is');

  replace(files.certFile, first.certPem); // with the key now in place: the first pair, good again
  await waitFor('the first pair to be served again', () => reloads.length > serving, {
    timeoutMs: NOTICE_MS,
  });
  replace(files.certFile, second.certPem); // the refused pair once more
  await waitFor('the bad pair, after a good one, to be refused', () => errors.length > reported + 1, {
    timeoutMs: NOTICE_MS,
  });
  t.equal(errors.length, reported + 2, 'reported again: a good pair came in between');
  t.match(errors[reported + 1], /key values mismatch/);
});

t.test(
  "controller-runtime's certwatcher counters: every read of a new pair, and every refused one",
  async (t) => {
    const text = await registry.metrics();
    t.equal(sampleSum(text, 'certwatcher_read_certificate_errors_total'), errors.length, 'one per refusal');
    t.ok(errors.length >= 2, 'the bad pairs above were refused');
    // The start's read, then each read of changed files: served or refused.
    const changes = reloads.length + errors.length;
    t.equal(sampleSum(text, 'certwatcher_read_certificate_total'), 1 + changes);
    const served = new X509Certificate(first.certPem).validTo; // the last good pair above
    t.equal(
      sampleSum(text, 'orchestrator_webhook_certificate_expiration_timestamp_seconds'),
      Date.parse(served) / 1000,
      'the expiry of the certificate served now',
    );
  },
);
