// The manager's servers as an operator's monitoring sees them: a real Prometheus scrapes /metrics and
// counts the reconciles the controller actually ran; promtool accepts the exposition; the probes say
// what they check; a graceful stop releases the Lease and closes the servers.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { KubeClient, type Lease, Manager } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { startPrometheus } from '../harness/deploy/monitoring.js';
import { mirrorController, type RecordEntry, ROLE_LABEL } from '../harness/operator/mirror-reconciler.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

/** The query's single value, or why there is none (Prometheus still starting, no sample scraped yet). */
async function prometheusQuery(port: number, query: string): Promise<number | string> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await res.json()) as { data?: { result?: Array<{ value: [number, string] }> } };
    const value = body.data?.result?.[0]?.value[1];
    return value === undefined ? `no sample (HTTP ${res.status})` : Number(value);
  } catch (err) {
    return `query failed: ${(err as Error).message}`;
  }
}

t.test(
  'Prometheus scrapes the reconcile count the controller ran; promtool accepts the exposition',
  async (t) => {
    const namespace = await testNamespace(t, cluster);
    const dir = mkdtempSync(join(tmpdir(), 'runtime-metrics-'));
    const recordFile = join(dir, 'reconciles.jsonl');
    const client = new KubeClient(kubeConfig(cluster));
    const registry = new Registry();
    const { informers, controller } = mirrorController({
      client,
      namespace,
      registry,
      logger,
      identity: 'solo',
      recordFile,
    });
    const manager = new Manager({
      client,
      registry,
      logger,
      leaderElection: {
        namespace,
        name: 'metrics-leader',
        leaseDurationMs: 4_000,
        renewDeadlineMs: 3_000,
        retryPeriodMs: 500,
      },
      metrics: { host: '127.0.0.1', port: 0 },
      probes: { host: '127.0.0.1', port: 0 },
    });
    for (const informer of informers) manager.addInformer(informer);
    manager.addController(controller);
    let webhookServing = false;
    manager.addReadyzCheck('webhook', () =>
      webhookServing ? undefined : 'serving certificate not loaded yet',
    );
    t.teardown(() => manager.stop());
    await manager.start();
    await waitFor('leadership', () => manager.isLeader);
    const metricsUrl = `http://127.0.0.1:${manager.metricsPort}/metrics`;
    const probe = (path: string) => fetch(`http://127.0.0.1:${manager.probesPort}${path}`);

    const initial = await (await fetch(metricsUrl)).text();
    for (const result of ['success', 'error', 'requeue', 'requeue_after']) {
      t.equal(
        sampleSum(initial, 'controller_runtime_reconcile_total', { controller: 'mirror', result }),
        0,
        `${result} starts at 0`,
      );
    }
    for (const name of [
      'controller_runtime_reconcile_errors_total',
      'controller_runtime_terminal_reconcile_errors_total',
      'controller_runtime_active_workers',
      'workqueue_depth',
      'workqueue_adds_total',
      'workqueue_retries_total',
      'workqueue_unfinished_work_seconds',
      'workqueue_longest_running_processor_seconds',
    ]) {
      t.equal(sampleSum(initial, name, { controller: 'mirror' }), 0, `${name} starts at 0`);
    }
    t.equal(sampleSum(initial, 'controller_runtime_max_concurrent_reconciles', { controller: 'mirror' }), 2);
    t.equal(sampleSum(initial, 'leader_election_master_status', { name: 'metrics-leader' }), 1);
    t.ok(sampleSum(initial, 'process_cpu_user_seconds_total') > 0, 'Node process metrics are included');
    t.ok(sampleSum(initial, 'nodejs_heap_size_used_bytes') > 0);

    t.equal((await probe('/healthz')).status, 200);
    const notReady = await probe('/readyz');
    t.equal(notReady.status, 500, 'a failing extra readiness check fails /readyz');
    t.match(
      await notReady.text(),
      /\[\+\]informers-synced ok\n\[-\]webhook failed: serving certificate not loaded yet/,
    );
    webhookServing = true;
    t.equal((await probe('/readyz')).status, 200);

    const path = `/api/v1/namespaces/${namespace}/configmaps`;
    for (const name of ['m1', 'm2', 'm3']) {
      await client.request('POST', path, {
        body: { metadata: { name, labels: { [ROLE_LABEL]: 'source' } }, data: { v: name } },
      });
    }
    const ended = () =>
      readFileSync(recordFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as RecordEntry)
        .filter((r) => r.phase === 'end').length;
    await waitFor('the controller to go idle', async () => {
      const text = await (await fetch(metricsUrl)).text();
      return (
        ended() >= 3 &&
        sampleSum(text, 'workqueue_depth', { controller: 'mirror' }) === 0 &&
        sampleSum(text, 'controller_runtime_active_workers', { controller: 'mirror' }) === 0 &&
        sampleSum(text, 'controller_runtime_reconcile_total', { controller: 'mirror' }) === ended()
      );
    });
    const expected = ended();
    const exposition = await (await fetch(metricsUrl)).text();
    t.equal(
      sampleSum(exposition, 'controller_runtime_reconcile_total', {
        controller: 'mirror',
        result: 'success',
      }),
      expected,
    );

    writeFileSync(join(dir, 'exposition.txt'), exposition);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: exposition, encoding: 'utf8' });
    t.equal(lint.status, 0, `promtool check metrics: ${lint.stdout}${lint.stderr}`);

    const port = await startPrometheus(t, dir, {
      global: { scrape_interval: '1s' },
      scrape_configs: [
        { job_name: 'orchestrator', static_configs: [{ targets: [`127.0.0.1:${manager.metricsPort}`] }] },
      ],
    });
    // Every copy the controller creates wakes its source once more (the copies are watched), and under
    // load such a wake can land after the idle check above: Prometheus must agree with the reconciles
    // recorded when it is read, not with a count taken before it started.
    const query = 'sum(controller_runtime_reconcile_total{controller="mirror"})';
    const scraped = await waitFor(
      'Prometheus to report the reconciles the controller recorded',
      async (note) => {
        const reported = await prometheusQuery(port, query);
        const recorded = ended();
        note({ prometheus: reported, recorded });
        return typeof reported === 'number' && reported >= expected && reported === recorded ? reported : 0;
      },
    );
    t.ok(scraped >= expected, `Prometheus: ${query} = ${scraped}, the number of reconciles recorded`);

    await manager.stop();
    const lease = await client.request<Lease>(
      'GET',
      `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/metrics-leader`,
    );
    t.equal(lease.spec?.holderIdentity, '', 'stop released the Lease');
    await t.rejects(fetch(metricsUrl), 'the metrics server is closed');
  },
);
