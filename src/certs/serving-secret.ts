// What the Secret of a self-managed webhook certificate should hold, decided from what it holds now: a
// CA (ca.crt, ca.key) and a serving certificate it signed (tls.crt, tls.key) for the webhook Service's
// names. Each is kept while it is sound and far from expiry, and replaced otherwise, so that every
// replica reading the same Secret decides the same, and a replica that lost a race to write it adopts
// the winner's (src/webhook/serving-certificate.ts; docs/decisions/0075-self-managed-webhook-certificate.md).
// ca.crt is a bundle: the current CA first, then a previous one until it expires, so a caBundle copied
// from it trusts serving certificates of either while the replicas move to the new CA.
import { createPrivateKey, type X509Certificate } from 'node:crypto';
import { type Authority, createAuthority, loadAuthority } from './authority.js';
import { pemBundle, pemCertificates } from './pem.js';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The Secret's keys, as text (the API's data is their base64). */
export interface ServingSecretData {
  'ca.crt'?: string;
  'ca.key'?: string;
  'tls.crt'?: string;
  'tls.key'?: string;
}

export interface ServingPolicy {
  /** The CA's validity in days. Default 3650, as config/cert-manager's CA. */
  caDays: number;
  /** The serving certificate's validity in days. Default 90, as config/cert-manager's. */
  leafDays: number;
}

export const DEFAULT_SERVING_POLICY: ServingPolicy = { caDays: 3650, leafDays: 90 };

export interface ServingSubject {
  commonName: string;
  dnsNames: string[];
}

/** A new content for the Secret, and why (no key material: these are logged). */
export interface Renewal {
  data: Required<ServingSecretData>;
  reasons: string[];
}

const expiresWithin = (cert: X509Certificate, now: Date, ms: number) =>
  new Date(cert.validTo).getTime() - now.getTime() < ms;

/**
 * The serving certificate is renewed with a third of its life left (cert-manager's default); the CA with
 * two serving lifetimes left, so that it outlives every certificate it signed, and the serving
 * certificate then renewed moves to the new CA.
 */
const leafRenewMs = (policy: ServingPolicy) => (policy.leafDays * DAY_MS) / 3;
const caRenewMs = (policy: ServingPolicy) => 2 * policy.leafDays * DAY_MS;

const parsed = (pem: string | undefined): X509Certificate[] => {
  try {
    return pemCertificates(pem ?? '');
  } catch {
    return [];
  }
};

const keyMatches = (cert: X509Certificate, keyPem: string | undefined): boolean => {
  try {
    return keyPem !== undefined && cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    return false;
  }
};

const dnsNames = (cert: X509Certificate): string[] =>
  (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4))
    .sort();

/** The CA to issue from: the bundle's first while sound and far from expiry; else why not. */
async function currentAuthority(
  head: X509Certificate | undefined,
  keyPem: string | undefined,
  now: Date,
  policy: ServingPolicy,
): Promise<Authority | string> {
  if (!head) return 'no CA';
  if (!head.ca || !keyMatches(head, keyPem)) return 'the CA and its key do not match';
  if (expiresWithin(head, now, caRenewMs(policy))) return `the CA expires ${head.validTo}`;
  return loadAuthority(head.toString(), keyPem as string);
}

/** Why the serving certificate must be issued again, or undefined while it serves. */
function leafProblem(
  data: ServingSecretData,
  ca: X509Certificate,
  subject: ServingSubject,
  now: Date,
  policy: ServingPolicy,
): string | undefined {
  const leaf = parsed(data['tls.crt'])[0];
  if (!leaf) return 'no serving certificate';
  if (!keyMatches(leaf, data['tls.key'])) return 'the serving certificate and its key do not match';
  if (!leaf.checkIssued(ca) || !leaf.verify(ca.publicKey))
    return 'the serving certificate is not signed by the CA';
  if (dnsNames(leaf).join() !== [...subject.dnsNames].sort().join())
    return 'the serving certificate names other hosts';
  if (expiresWithin(leaf, now, leafRenewMs(policy))) return `the serving certificate expires ${leaf.validTo}`;
  return undefined;
}

/**
 * What the Secret must hold instead of `data` at `now`, or undefined when it holds what it should.
 * Deterministic in what it keeps: two replicas reading one Secret keep the same CA and certificate.
 */
export async function renewServingSecret(
  data: ServingSecretData,
  subject: ServingSubject,
  now: Date,
  policy: ServingPolicy = DEFAULT_SERVING_POLICY,
): Promise<Renewal | undefined> {
  const bundle = parsed(data['ca.crt']);
  const reasons: string[] = [];
  let authority = await currentAuthority(bundle[0], data['ca.key'], now, policy);
  if (typeof authority === 'string') {
    reasons.push(authority);
    authority = await createAuthority(`${subject.commonName}-ca`, policy.caDays);
  }
  const ca = pemCertificates(authority.certPem)[0] as X509Certificate;
  // Previous CAs stay trusted while they can still have signed a serving certificate in use.
  const trusted = [
    ca,
    ...bundle.filter((c) => c.fingerprint256 !== ca.fingerprint256 && !expiresWithin(c, now, 0)),
  ];
  const caBundle = pemBundle(trusted);
  const problem = leafProblem(data, ca, subject, now, policy);
  if (problem) reasons.push(problem);
  if (reasons.length === 0 && caBundle === data['ca.crt']) return undefined;
  if (reasons.length === 0) reasons.push('an expired CA left the bundle');
  const leaf = problem
    ? await authority.issueServing({ ...subject, days: policy.leafDays })
    : { certPem: data['tls.crt'] as string, keyPem: data['tls.key'] as string };
  return {
    reasons,
    data: { 'ca.crt': caBundle, 'ca.key': authority.keyPem, 'tls.crt': leaf.certPem, 'tls.key': leaf.keyPem },
  };
}
