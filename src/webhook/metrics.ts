// The webhook server's metrics, under controller-runtime's names and labels so existing dashboards read
// them: `webhook` is the path served (`/validate-orchestrator-io-v1-taskrun`), as controller-runtime's.
// Each route counts in plain fields bound once (`RouteMetrics`), read when the registry is scraped
// (src/runtime/scraped-metrics.ts): a review costs no label lookup.
import type { Registry } from 'prom-client';
import {
  type HistogramCounts,
  type Sample,
  ScrapedHistogram,
  scrapedCounter,
  scrapedGauge,
} from '../runtime/index.js';

/** One webhook path's counts. */
export class RouteMetrics {
  inFlight = 0;
  internalErrors = 0;
  /** Requests by HTTP status code; the two codes controller-runtime initialises exist from the start. */
  readonly codes = new Map<string, number>([
    ['200', 0],
    ['500', 0],
  ]);
  /** Denials by the rule that denied. */
  readonly denials = new Map<string, number>();

  constructor(
    readonly webhook: string,
    readonly latency: HistogramCounts,
  ) {}

  /** A review answered with `status` after `seconds`. */
  answered(status: number, seconds: number): void {
    const code = String(status);
    this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    this.latency.observe(seconds);
  }

  denied(rule: string): void {
    this.denials.set(rule, (this.denials.get(rule) ?? 0) + 1);
  }
}

export interface WebhookMetrics {
  /** The counts of the webhook served at `path` (one of the paths given at creation). */
  route(path: string): RouteMetrics;
  /** controller-runtime's count of handler panics (no labels): here, a handler that threw. */
  panics: number;
}

/** The metrics of the webhooks served at `paths`, registered in `registry`. */
export function webhookMetrics(registry: Registry, paths: string[]): WebhookMetrics {
  const registers = [registry];
  const routes = new Map<string, RouteMetrics>();
  const perRoute = <T extends string>(samples: (r: RouteMetrics) => Iterable<Sample<T>>) =>
    function* () {
      for (const r of routes.values()) yield* samples(r);
    };
  const byKey = (r: RouteMetrics, key: 'code' | 'rule', counts: Map<string, number>) =>
    [...counts].map(([value, count]) => ({ labels: { webhook: r.webhook, [key]: value }, value: count }));

  scrapedCounter(
    {
      name: 'controller_runtime_webhook_requests_total',
      help: 'Total number of admission requests by HTTP status code.',
      labelNames: ['webhook', 'code'],
      registers,
    },
    perRoute((r) => byKey(r, 'code', r.codes)),
  );
  const latency = new ScrapedHistogram({
    name: 'controller_runtime_webhook_latency_seconds',
    help: 'Histogram of the latency of processing admission requests',
    labelNames: ['webhook'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
    // Shown once a review was timed, as prom-client showed it.
    series: () =>
      [...routes.values()]
        .filter((r) => r.latency.count > 0)
        .map((r) => ({ labels: { webhook: r.webhook }, counts: r.latency })),
  });
  scrapedGauge(
    {
      name: 'controller_runtime_webhook_requests_in_flight',
      help: 'Current number of admission requests being served.',
      labelNames: ['webhook'],
      registers,
    },
    perRoute((r) => [{ labels: { webhook: r.webhook }, value: r.inFlight }]),
  );
  scrapedCounter(
    {
      name: 'orchestrator_webhook_denials_total',
      help: 'Admission requests denied, by the rule that denied them.',
      labelNames: ['webhook', 'rule'],
      registers,
    },
    perRoute((r) => byKey(r, 'rule', r.denials)),
  );
  scrapedCounter(
    {
      name: 'orchestrator_webhook_internal_errors_total',
      help: 'Admission requests that failed inside the webhook (answered with a denial that says so).',
      labelNames: ['webhook'],
      registers,
    },
    perRoute((r) => [{ labels: { webhook: r.webhook }, value: r.internalErrors }]),
  );
  const metrics: WebhookMetrics = {
    panics: 0,
    route(path) {
      const route = routes.get(path);
      if (!route) throw new Error(`no webhook metrics for ${path}`);
      return route;
    },
  };
  scrapedCounter(
    { name: 'controller_runtime_webhook_panics_total', help: 'Total number of webhook panics', registers },
    () => [{ labels: {}, value: metrics.panics }],
  );
  for (const path of paths) routes.set(path, new RouteMetrics(path, latency.counts()));
  return metrics;
}
