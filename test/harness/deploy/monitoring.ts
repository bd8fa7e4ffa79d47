// The shipped monitoring (config/prometheus/prometheus-rule.yaml, config/grafana/*.json) as tests read
// it, and promtool, the Prometheus tool the Debian `prometheus` package installs (.ci/run).
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { freePort } from '../../../src/util/free-port.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { startTied } from '../cluster/tied-process.js';
import type { Scope } from '../util/scope.js';

const root = packageRoot();

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

/** The rule groups of the shipped PrometheusRule (its spec, i.e. a Prometheus rule file). */
export function alertGroups(): Array<{ name: string; rules: AlertRule[] }> {
  const file = join(root, 'config', 'prometheus', 'prometheus-rule.yaml');
  return (
    parse(readFileSync(file, 'utf8')) as { spec: { groups: Array<{ name: string; rules: AlertRule[] }> } }
  ).spec.groups;
}

export interface DashboardQuery {
  /** `panel title / refId`, to name the query in a failure. */
  name: string;
  expr: string;
  legendFormat: string;
}

interface Panel {
  title: string;
  type: string;
  targets?: Array<{ refId: string; expr: string; legendFormat?: string }>;
}

export interface Dashboard {
  uid: string;
  panels: Panel[];
  templating: {
    list: Array<{
      name: string;
      type: string;
      multi?: boolean;
      includeAll?: boolean;
      allValue?: string;
      query?: unknown;
    }>;
  };
}

export const dashboardFile = join(root, 'config', 'grafana', 'orchestrator-dashboard.json');

export const dashboard = (): Dashboard => JSON.parse(readFileSync(dashboardFile, 'utf8')) as Dashboard;

/** Every panel query of the dashboard. */
export const dashboardQueries = (): DashboardQuery[] =>
  dashboard().panels.flatMap((p) =>
    (p.targets ?? []).map((q) => ({
      name: `${p.title} / ${q.refId}`,
      expr: q.expr,
      legendFormat: q.legendFormat ?? '',
    })),
  );

/**
 * A query as Grafana sends it: the rate window at its floor (4 scrapes of `scrapeSeconds`), every
 * replica (the `pod` variable's All), the namespace chosen.
 */
export const concrete = (expr: string, namespace: string, scrapeSeconds = 15): string =>
  expr
    .replaceAll('$__rate_interval', `${4 * scrapeSeconds}s`)
    .replaceAll('$namespace', namespace)
    .replaceAll('$pod', '.*');

export interface ToolResult {
  status: number | null;
  output: string;
}

export function promtool(args: string[]): ToolResult {
  const run = spawnSync('promtool', args, { encoding: 'utf8' });
  return { status: run.status, output: `${run.stdout ?? ''}${run.stderr ?? ''}${run.error?.message ?? ''}` };
}

export interface QueryAnswer {
  status: string;
  error?: string;
  result: Array<{ metric: Record<string, string>; value: [number, string] }>;
}

/** An instant query to the Prometheus at `port` (parse errors come back as status "error"). */
export async function prometheusQuery(port: number, query: string): Promise<QueryAnswer> {
  const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; error?: string; data?: { result?: unknown } };
  const result = Array.isArray(body.data?.result) ? (body.data.result as QueryAnswer['result']) : [];
  return { status: body.status, ...(body.error ? { error: body.error } : {}), result };
}

/** GET a Prometheus API path's `data`. */
export async function prometheusData<T>(port: number, path: string): Promise<T> {
  return ((await (await fetch(`http://127.0.0.1:${port}${path}`)).json()) as { data: T }).data;
}

type Teardown = Pick<Scope, 'teardown'>;

/** A Prometheus with `config` (prometheus.yml as an object), its files in `dir`; its port. */
export async function startPrometheus(t: Teardown, dir: string, config: object): Promise<number> {
  writeFileSync(join(dir, 'prometheus.yml'), stringify(config));
  const port = await freePort();
  const prometheus = await startTied(
    [
      'prometheus',
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    join(dir, 'prometheus.log'),
  );
  t.teardown(() => prometheus.stop());
  return port;
}
