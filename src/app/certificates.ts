// The serving certificate the webhooks, the REST API and the secure metrics share: the local
// environment's development one, else tls.crt and tls.key of the certificate directory.
import { join } from 'node:path';
import type { CertificateFiles } from '../http/index.js';
import type { LocalEnvironment } from './local.js';
import type { RunOptions } from './options.js';

export function servingCertificates(opts: RunOptions, local: LocalEnvironment | undefined): CertificateFiles {
  const certDir = opts.certDir ?? '';
  return {
    certFile: local?.certFile ?? join(certDir, 'tls.crt'),
    keyFile: local?.keyFile ?? join(certDir, 'tls.key'),
  };
}
