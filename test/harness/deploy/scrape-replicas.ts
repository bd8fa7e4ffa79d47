// A real Prometheus scraping the installed replicas as the Prometheus Operator would from the
// production overlay: its ServiceMonitor's scheme, path, server name and bearer token, with the
// scraper's RBAC applied first (the token is refused without it).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { kubeConfig } from '../cluster/cluster.js';
import { RBAC_KINDS } from '../operator/installed-replicas.js';
import { waitFor } from '../util/wait.js';
import { applyObjects, kustomize } from './kustomize.js';
import { metricsScrape, scrapeJob } from './metrics-scrape.js';
import { prometheusQuery, startPrometheus } from './monitoring.js';

export interface ScrapedReplicas {
  /** Prometheus's port on localhost. */
  port: number;
  scheme: string;
  /** The `up` series that read 1, one per target. */
  up: unknown[];
}

/** Prometheus on `targets` (host:port of each replica), once every target is up; stopped at teardown. */
export async function scrapeReplicas(
  t: { teardown(fn: () => unknown): void },
  cluster: Cluster,
  targets: string[],
  caPem: string,
  work: string,
): Promise<ScrapedReplicas> {
  const production = await kustomize(cluster, join(packageRoot(), 'config', 'overlays', 'production'));
  const applied = await applyObjects(
    cluster,
    production.filter((o) => RBAC_KINDS.has(o.kind ?? '')),
  );
  if (applied.code !== 0) throw new Error(`the scraper's RBAC was not applied: ${applied.stderr}`);
  const scrape = await metricsScrape(kubeConfig(cluster), production);
  const dir = join(work, 'prometheus');
  mkdirSync(dir, { recursive: true });
  const port = await startPrometheus(t, dir, {
    global: { scrape_interval: '2s', scrape_timeout: '1s' },
    scrape_configs: [
      scrapeJob(scrape, caPem, dir, { job_name: 'orchestrator', static_configs: [{ targets }] }),
    ],
  });
  const up = await waitFor(
    `Prometheus scraped all ${targets.length} replicas (up == 1)`,
    async (note) => {
      // Refused until Prometheus listens.
      const answer = await prometheusQuery(port, 'up{job="orchestrator"}').catch((err: Error) => err.message);
      note(answer);
      if (typeof answer === 'string') return undefined;
      const up = answer.result.filter((r) => r.value[1] === '1');
      return up.length === targets.length ? up : undefined;
    },
    { timeoutMs: 120_000, intervalMs: 1000 },
  );
  return { port, scheme: scrape.scheme, up };
}
