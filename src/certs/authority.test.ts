import { X509Certificate } from 'node:crypto';
import { createServer, request } from 'node:https';
import t from 'tap';
import { createAuthority, serviceAccountKeys } from './authority.js';

t.test('the CA issues a serving certificate that TLS clients trusting the CA accept', async (t) => {
  const ca = await createAuthority('test-ca');
  const serving = await ca.issueServing({
    commonName: 'webhook',
    dnsNames: ['orchestrator-webhook.orchestrator-system.svc'],
    ipAddresses: ['127.0.0.1'],
  });
  const caCert = new X509Certificate(ca.certPem);
  const leaf = new X509Certificate(serving.certPem);
  t.ok(caCert.ca, 'the CA is a CA');
  t.notOk(leaf.ca, 'the leaf is not');
  t.ok(leaf.checkIssued(caCert), 'issued by the CA');
  t.ok(leaf.verify(caCert.publicKey), 'signed by the CA key');
  t.match(leaf.subjectAltName, /DNS:orchestrator-webhook\.orchestrator-system\.svc/);
  t.match(leaf.subjectAltName, /IP Address:127\.0\.0\.1/);

  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => server.close());
  const { port } = server.address() as { port: number };
  const body = await new Promise<string>((resolve, reject) => {
    request({ host: '127.0.0.1', port, ca: ca.certPem, path: '/' }, (res) => {
      let data = '';
      res.on('data', (d) => {
        data += d;
      });
      res.on('end', () => resolve(data));
    })
      .on('error', reject)
      .end();
  });
  t.equal(body, 'ok');
});

t.test('service-account keys are a matching RSA pair', async (t) => {
  const { privatePem, publicPem } = serviceAccountKeys();
  t.match(privatePem, /^-----BEGIN PRIVATE KEY-----/);
  t.match(publicPem, /^-----BEGIN PUBLIC KEY-----/);
});
