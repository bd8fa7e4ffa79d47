// The expiry gauge follows the certificate the webhook server serves: set at start, moved by a rotation.
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { startVolumeWebhookServer } from '../../test/harness/operator/webhook.js';
import { sampleSum } from '../../test/harness/util/prometheus-text.js';
import { secretVolumeWriter } from '../../test/harness/util/tls.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { createAuthority, type KeyPair } from '../certs/authority.js';

const CERTIFICATE_EXPIRY_METRIC = 'orchestrator_webhook_certificate_expiration_timestamp_seconds';

const ca = await createAuthority('expiry-ca');
const issue = (days: number) => ca.issueServing({ commonName: 'webhook', ipAddresses: ['127.0.0.1'], days });
const notAfter = (pair: KeyPair) => Date.parse(new X509Certificate(pair.certPem).validTo) / 1000;

t.test('the expiry of the served certificate, before and after a rotation', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'webhook-expiry-'));
  const write = secretVolumeWriter(dir);
  const volume = (pair: KeyPair) => ({ 'tls.crt': pair.certPem, 'tls.key': pair.keyPem });
  const [short, long] = await Promise.all([issue(30), issue(90)]);
  write(volume(short));
  const registry = new Registry();
  const server = await startVolumeWebhookServer(dir, registry, pino({ level: 'silent' }));
  t.teardown(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const expiry = async () => sampleSum(await registry.metrics(), CERTIFICATE_EXPIRY_METRIC);
  t.equal(await expiry(), notAfter(short), 'the certificate served from the start');
  write(volume(long));
  await waitFor('the gauge to follow the rotation', async () => (await expiry()) === notAfter(long));
  t.ok(notAfter(long) - notAfter(short) > 59 * 86_400, 'the rotated certificate expires 60 days later');
});
