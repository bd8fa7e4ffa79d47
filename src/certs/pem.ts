// The certificates of a PEM bundle, as a caBundle or a ca.crt holds them (several CAs while one is
// rotated), read alike by the doctor's checks and the webhook's own certificate.
import { X509Certificate } from 'node:crypto';

const BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Each certificate of `pem`, in order; throws when one does not parse. None: an empty list. */
export function pemCertificates(pem: string): X509Certificate[] {
  return (pem.match(BLOCK) ?? []).map((block) => new X509Certificate(block));
}

/** The PEM blocks of `certificates`, one after the other, as a bundle file holds them. */
export function pemBundle(certificates: X509Certificate[]): string {
  return certificates.map((c) => c.toString()).join('');
}
