// `orchestrator certs`: a development CA and a webhook serving certificate. Production uses
// cert-manager (config/cert-manager); these files are for local runs and kind clusters.
import type { Command } from 'commander';
import { type CertsOptions, writeDevCertificates } from '../certs/index.js';
import { collect } from './io.js';

export function registerCertsCommand(program: Command): void {
  program
    .command('certs')
    .description('write a development CA and a webhook serving certificate (ca.crt, tls.crt, tls.key)')
    .option('--out <dir>', 'output directory', 'certs/dev')
    .option('--service <name>', 'webhook Service name', 'orchestrator-webhook')
    .option('--namespace <ns>', 'webhook Service namespace', 'orchestrator-system')
    .option('--dns <name>', 'an extra DNS name (repeatable)', collect)
    .option('--ip <address>', 'an extra IP address (repeatable)', collect)
    .action(async (opts: CertsOptions) => {
      const files = await writeDevCertificates(opts);
      console.log(`wrote ${files.caFile}, ${files.certFile}, ${files.keyFile}`);
      console.log(`caBundle: base64 -w0 < ${files.caFile}`);
    });
}
