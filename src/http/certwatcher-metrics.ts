// controller-runtime's certwatcher metrics, under its names (no labels): every read of the serving
// certificate and every read that failed, so an alert can tell a rotation that keeps failing.
import { Counter, type Registry } from 'prom-client';
import { memo } from '../runtime/metrics.js';

export interface CertificateReads {
  /** A new pair was read: at start, and whenever the files changed (failed reads included). */
  read(): void;
  /** That read failed (unreadable, half-written or mismatched files): the last good pair stays. */
  failed(): void;
}

export const certWatcherMetrics = memo((registry: Registry): CertificateReads => {
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
  reads.inc(0);
  errors.inc(0);
  return { read: () => reads.inc(), failed: () => errors.inc() };
});
