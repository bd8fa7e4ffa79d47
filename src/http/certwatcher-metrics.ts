// controller-runtime's certwatcher metrics, under its names (no labels): every read of the serving
// certificate and every read that failed, so an alert can tell a rotation that keeps failing. Plus what
// controller-runtime lacks and an alert on an expiring certificate needs: when the one served expires.
import { X509Certificate } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';
import { memo } from '../runtime/index.js';

export interface CertificateMetrics {
  /** A new pair was read: at start, and whenever the files changed (failed reads included). */
  read(): void;
  /** That read failed (unreadable, half-written or mismatched files): the last good pair stays. */
  failed(): void;
  /** This certificate (PEM) is the one served from now on. */
  serving(cert: Buffer): void;
}

export const certWatcherMetrics = memo((registry: Registry): CertificateMetrics => {
  const registers = [registry];
  const reads = new Counter({
    name: 'certwatcher_read_certificate_total',
    help: 'Total number of certificate reads',
    registers,
  });
  const errors = new Counter({
    name: 'certwatcher_read_certificate_errors_total',
    help: 'Total number of certificate read errors',
    registers,
  });
  const expiry = new Gauge({
    name: 'orchestrator_webhook_certificate_expiration_timestamp_seconds',
    help: 'When the serving certificate of the webhooks expires (its notAfter), in seconds since the epoch.',
    registers,
  });
  reads.inc(0);
  errors.inc(0);
  return {
    read: () => reads.inc(),
    failed: () => errors.inc(),
    serving: (cert) => expiry.set(Date.parse(new X509Certificate(cert).validTo) / 1000),
  };
});
