// How Prometheus scrapes the installed replicas, read from the shipped manifests (the production
// overlay's objects): the ServiceMonitor's endpoint (scheme, path, the TLS server name) and the
// ServiceAccount whose token Secret it names. The local control plane runs no token controller to fill
// that Secret, so the token is the same ServiceAccount's from a TokenRequest (the same audience).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { serviceAccountToken } from '../../../src/app/service-account.js';
import { withClient } from '../../../src/cluster/apply.js';
import type { KubeObject } from '../../../src/runtime/index.js';
import { ofKind, one } from './kustomize.js';

const TLS_SECRET = 'orchestrator-webhook-tls';

export interface MetricsScrape {
  scheme: string;
  path: string;
  /** The name the serving certificate is checked against (tlsConfig.serverName). */
  serverName: string;
  /** A token of the ServiceAccount the ServiceMonitor's credentials belong to. */
  token: string;
}

interface MonitorEndpoint {
  scheme?: string;
  path?: string;
  authorization?: { type?: string; credentials?: { name: string; key: string } };
  tlsConfig?: { serverName?: string; ca?: { secret?: { name: string; key: string } } };
}

/** The DNS names of cert-manager's serving Certificate (the one that writes the webhook's Secret). */
export function servingDnsNames(objects: KubeObject[]): string[] {
  const certificate = ofKind(objects, 'Certificate').find(
    (c) => (c.spec as { secretName?: string }).secretName === TLS_SECRET,
  );
  return (certificate?.spec as { dnsNames?: string[] } | undefined)?.dnsNames ?? [];
}

export async function metricsScrape(admin: KubeConfig, objects: KubeObject[]): Promise<MetricsScrape> {
  const monitor = one(objects, 'ServiceMonitor');
  const endpoint = (monitor.spec as { endpoints: MonitorEndpoint[] }).endpoints[0] ?? {};
  const credentials = endpoint.authorization?.credentials;
  if (!credentials) throw new Error('the ServiceMonitor names no bearer token Secret');
  const secret = one(objects, 'Secret', credentials.name);
  const account = secret.metadata?.annotations?.['kubernetes.io/service-account.name'] ?? '';
  const namespace = monitor.metadata?.namespace ?? '';
  return {
    scheme: endpoint.scheme ?? 'http',
    path: endpoint.path ?? '/metrics',
    serverName: endpoint.tlsConfig?.serverName ?? '',
    token: await withClient(admin, (client) => serviceAccountToken(client, { namespace, name: account })),
  };
}

/**
 * A Prometheus scrape job over `targets` as the Prometheus Operator writes it from the ServiceMonitor:
 * the token and the CA as files in `dir`.
 */
export function scrapeJob(
  scrape: MetricsScrape,
  caPem: string,
  dir: string,
  job: { job_name: string; static_configs: object[] },
): object {
  const tokenFile = join(dir, 'scraper-token');
  const caFile = join(dir, 'ca.crt');
  writeFileSync(tokenFile, scrape.token);
  writeFileSync(caFile, caPem);
  return {
    ...job,
    scheme: scrape.scheme,
    metrics_path: scrape.path,
    authorization: { type: 'Bearer', credentials_file: tokenFile },
    tls_config: { ca_file: caFile, server_name: scrape.serverName },
  };
}
