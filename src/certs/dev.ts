// A development CA and webhook serving certificate, for local runs and kind clusters; production uses
// cert-manager (config/cert-manager).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createAuthority } from './authority.js';

export interface CertsOptions {
  out: string;
  service: string;
  namespace: string;
  dns?: string[];
  ip?: string[];
}

/** The names the apiserver may use for the webhook Service, plus loopback for local runs. */
export function serviceNames(service: string, namespace: string): string[] {
  return [
    service,
    `${service}.${namespace}`,
    `${service}.${namespace}.svc`,
    `${service}.${namespace}.svc.cluster.local`,
    'localhost',
  ];
}

export async function writeDevCertificates(
  opts: CertsOptions,
): Promise<{ caFile: string; certFile: string; keyFile: string }> {
  const ca = await createAuthority();
  const serving = await ca.issueServing({
    commonName: `${opts.service}.${opts.namespace}.svc`,
    dnsNames: [...serviceNames(opts.service, opts.namespace), ...(opts.dns ?? [])],
    ipAddresses: ['127.0.0.1', ...(opts.ip ?? [])],
  });
  mkdirSync(opts.out, { recursive: true });
  const files = {
    caFile: join(opts.out, 'ca.crt'),
    certFile: join(opts.out, 'tls.crt'),
    keyFile: join(opts.out, 'tls.key'),
  };
  writeFileSync(files.caFile, ca.certPem);
  writeFileSync(join(opts.out, 'ca.key'), ca.keyPem, { mode: 0o600 });
  writeFileSync(files.certFile, serving.certPem);
  writeFileSync(files.keyFile, serving.keyPem, { mode: 0o600 });
  return files;
}
