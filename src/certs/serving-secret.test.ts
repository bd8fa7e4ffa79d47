import { X509Certificate } from 'node:crypto';
import t from 'tap';
import { createAuthority } from './authority.js';
import { pemCertificates } from './pem.js';
import { renewServingSecret, type ServingSecretData } from './serving-secret.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const subject = {
  commonName: 'orchestrator-webhook.ns.svc',
  dnsNames: ['orchestrator-webhook.ns.svc', 'orchestrator-webhook.ns.svc.cluster.local'],
};
const policy = { caDays: 400, leafDays: 90 };
const now = new Date();
const later = (days: number) => new Date(now.getTime() + days * DAY_MS);

const issued = async (data: ServingSecretData = {}, at = now) => {
  const renewal = await renewServingSecret(data, subject, at, policy);
  if (!renewal) throw new Error('nothing issued');
  return renewal;
};
const signedBy = (leafPem: string, caPem: string) => {
  const leaf = new X509Certificate(leafPem);
  const ca = new X509Certificate(caPem);
  return leaf.checkIssued(ca) && leaf.verify(ca.publicKey);
};

t.test('an empty Secret gets a CA and a serving certificate it signed, for the names asked', async (t) => {
  const { data, reasons } = await issued();
  t.same(reasons, ['no CA', 'no serving certificate']);
  const [ca, ...older] = pemCertificates(data['ca.crt']);
  t.ok(ca?.ca, 'ca.crt is a CA');
  t.same(older, [], 'one CA');
  t.ok(signedBy(data['tls.crt'], data['ca.crt']), 'tls.crt is signed by it');
  const leaf = new X509Certificate(data['tls.crt']);
  t.match(
    leaf.subjectAltName,
    /DNS:orchestrator-webhook\.ns\.svc, DNS:orchestrator-webhook\.ns\.svc\.cluster\.local/,
  );
  t.ok(
    leaf.checkPrivateKey((await import('node:crypto')).createPrivateKey(data['tls.key'])),
    'tls.key is its key',
  );
  t.equal(await renewServingSecret(data, subject, now, policy), undefined, 'read again: kept as it is');
});

t.test('the serving certificate is renewed with a third of its life left, under the same CA', async (t) => {
  const first = (await issued()).data;
  t.equal(await renewServingSecret(first, subject, later(59), policy), undefined, '31 days left: kept');
  const renewal = await issued(first, later(61));
  t.match(renewal.reasons, [/^the serving certificate expires /]);
  t.equal(renewal.data['ca.crt'], first['ca.crt'], 'the CA stays');
  t.equal(renewal.data['ca.key'], first['ca.key']);
  t.not(renewal.data['tls.crt'], first['tls.crt'], 'a new certificate');
  t.not(renewal.data['tls.key'], first['tls.key'], 'with a new key');
  t.ok(signedBy(renewal.data['tls.crt'], first['ca.crt']));
});

t.test('the CA is rotated two serving lifetimes before it expires; the old one stays trusted', async (t) => {
  const first = (await issued()).data;
  const leafOnly = await issued(first, later(219));
  t.match(
    leafOnly.reasons,
    [/^the serving certificate expires /],
    '181 days left: only the certificate renewed',
  );
  t.equal(leafOnly.data['ca.crt'], first['ca.crt'], 'under the same CA');
  const renewal = await issued(first, later(221));
  t.match(renewal.reasons, [/^the CA expires /, 'the serving certificate is not signed by the CA']);
  const [current, previous] = pemCertificates(renewal.data['ca.crt']);
  t.not(current?.fingerprint256, pemCertificates(first['ca.crt'])[0]?.fingerprint256, 'a new CA first');
  t.equal(
    previous?.fingerprint256,
    pemCertificates(first['ca.crt'])[0]?.fingerprint256,
    'the old one after it',
  );
  t.ok(signedBy(renewal.data['tls.crt'], current?.toString() ?? ''), 'the certificate moves to the new CA');
});

t.test('what is broken is replaced, what is sound is kept', async (t) => {
  const first = (await issued()).data;
  const other = await createAuthority('someone-else');
  const otherLeaf = await other.issueServing(subject);
  const foreignLeaf = await issued({ ...first, 'tls.crt': otherLeaf.certPem, 'tls.key': otherLeaf.keyPem });
  t.same(foreignLeaf.reasons, ['the serving certificate is not signed by the CA']);
  t.equal(foreignLeaf.data['ca.crt'], first['ca.crt'], 'the CA stays');
  const mismatched = await issued({ ...first, 'tls.key': otherLeaf.keyPem });
  t.same(mismatched.reasons, ['the serving certificate and its key do not match']);
  const renamed = await renewServingSecret(
    first,
    { ...subject, dnsNames: ['elsewhere.ns.svc'] },
    now,
    policy,
  );
  t.same(renamed?.reasons, ['the serving certificate names other hosts']);
  const caKeyLost = await issued({ ...first, 'ca.key': other.keyPem });
  t.same(caKeyLost.reasons, [
    'the CA and its key do not match',
    'the serving certificate is not signed by the CA',
  ]);
  const garbage = await issued({
    'ca.crt': 'not a certificate',
    'ca.key': 'x',
    'tls.crt': '',
    'tls.key': '',
  });
  t.same(garbage.reasons, ['no CA', 'no serving certificate']);
});
