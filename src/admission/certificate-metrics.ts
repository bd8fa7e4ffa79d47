// When the serving certificate in use expires, after cert-manager's
// certmanager_certificate_expiration_timestamp_seconds: cert-manager reports the Secret it wrote, this
// reports what each replica actually serves, so a rotation that never reached a replica (a stuck volume,
// a refused pair) still pages before the apiserver starts rejecting the webhook's TLS.
import { X509Certificate } from 'node:crypto';
import { Gauge, type Registry } from 'prom-client';
import { memo } from '../runtime/metrics.js';

export const CERTIFICATE_EXPIRY_METRIC = 'orchestrator_webhook_certificate_expiration_timestamp_seconds';

/** Records the expiry of the certificate (PEM or DER) now being served. */
export type ServedCertificate = (cert: Buffer) => void;

export const servedCertificate = memo((registry: Registry): ServedCertificate => {
  const expiry = new Gauge({
    name: CERTIFICATE_EXPIRY_METRIC,
    help: 'The notAfter time (Unix seconds) of the webhook serving certificate this replica serves now.',
    registers: [registry],
  });
  return (cert) => expiry.set(Date.parse(new X509Certificate(cert).validTo) / 1000);
});
