// Scale benchmark: N runs (default 5,000; a mix of TaskRuns, CodeRuns and DocsRuns over 50 services,
// a tenth failing once) through real Jobs on the local cluster (real apiserver, Job controller and
// scheduler; pods simulated by KWOK), until every run is finished. Two phases, N/10 then N, each in
// fresh namespaces, and in each the operator (`orchestrator run` as its own process, webhooks and
// all: scale-operator.ts) beside a baseline making the same writes directly (scale-baseline.ts),
// alternating which goes first. Prints per run: wall time, the operator's CPU, the apiserver's CPU
// (from /proc), API calls, reconciles and heap per cached run; the ratio N ÷ N/10 (the goal: ≤ 1.1)
// and operator ÷ baseline. docs/benchmarks.md ("The scale benchmark") explains the set-up and how to run it.
// Run: npm run bench:scale [-- N] [--services S] [--fail-once SHARE] [--workers W] [--concurrency C]
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { sized } from '../../scripts/bench-smoke.js';
import type { ControllerConfig, RunKindName } from '../../src/api/index.js';
import { runResource } from '../../src/api/index.js';
import { obtainCluster } from '../../src/cluster/index.js';
import { loadTemplateSet } from '../../src/render/index.js';
import { isApiStatus, KubeClient, resourcePath } from '../../src/runtime/index.js';
import { kubeConfig, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { SIM, testConfig } from '../harness/operator/operator.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { cpuSeconds, findProcess, peakRssBytes } from './proc-stats.js';
import { playAgents } from './scale-agent.js';
import { startBaseline } from './scale-baseline.js';
import {
  type PhasePair,
  type SideFigures,
  scaleTable,
  scalingVerdict,
  sideSummary,
} from './scale-figures.js';
import { untilAllFinished } from './scale-finish.js';
import { startOperatorProcess } from './scale-operator.js';
import { nodesFor, parseScaleArgs, phaseSizes, type ScaleOptions } from './scale-options.js';
import { type BenchRun, benchRuns } from './scale-runs.js';

let opts: ScaleOptions;
try {
  opts = parseScaleArgs(process.argv.slice(2));
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}

const began = performance.now();
const [smallN, largeN] = phaseSizes(opts.runs);
const nodes = nodesFor(opts.concurrency ?? largeN);
console.log(
  `bench:scale: ${smallN} then ${largeN} runs, ${opts.services} services, ${opts.failOnce} failing once, ` +
    `${opts.workers} workers, concurrency ${opts.concurrency ?? 'unlimited'}, ${nodes} fake nodes`,
);
const cluster = await obtainCluster({ workloads: true, nodes });
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: 60_000 });
const templates = loadTemplateSet();
const teardowns: Array<() => unknown> = [];
const apiserverPid = cluster.dir ? findProcess('kube-apiserver', cluster.dir) : undefined;
if (!apiserverPid) console.log('the apiserver is not a local process: its CPU is not measured');
const apiserverCpu = () => (apiserverPid ? cpuSeconds(apiserverPid) : Number.NaN);

/** What the cluster holds after both phases: its memory and etcd's database (the budget of a local cluster). */
function clusterLoad(): string {
  if (!apiserverPid || !cluster.dir) return 'cluster: not local, not measured';
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
  const db = join(cluster.dir, 'etcd', 'member', 'snap', 'db');
  const etcd = findProcess('start', cluster.dir);
  return (
    `cluster: apiserver peak RSS ${mib(peakRssBytes(apiserverPid))}, ` +
    `etcd (in control-plane start) peak RSS ${etcd ? mib(peakRssBytes(etcd)) : '?'}, ` +
    `etcd database ${existsSync(db) ? mib(statSync(db).size) : '?'}`
  );
}

/** The phase's controller config: no waiting for capacity (unless asked), short retry backoff, tiny pods. */
const configFor =
  (n: number) =>
  (c: ControllerConfig): void => {
    const limit = opts.concurrency ?? n;
    c.concurrency = { perService: limit, global: limit };
    c.retries.backoffSeconds = 1;
    // Agents end by themselves after the simulated default second (testConfig holds them a day).
    const { [SIM.delay]: _held, ...annotations } = c.job.podAnnotations ?? {};
    c.job.podAnnotations = annotations;
    const small = { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '10m', memory: '16Mi' } };
    for (const profile of Object.values(c.agents))
      profile.resources = { high: small, standard: small, low: small };
  };

/** A webhook call that timed out or failed: the run was not stored, and a user would submit again. */
const webhookFailed = (err: unknown) =>
  isApiStatus(err, 500) && /failed calling webhook/.test((err as Error).message);

/**
 * Creates the runs with `workers` clients at once, as many users submitting (through admission); a
 * create whose webhook call failed is made again (up to 5 times), and counted.
 */
async function createRuns(namespace: string, runs: BenchRun[]): Promise<number> {
  let next = 0;
  let resubmitted = 0;
  const create = async ({ kind, body }: BenchRun, tries = 1): Promise<void> => {
    try {
      await admin.request('POST', resourcePath(runResource(kind as RunKindName), namespace), { body });
    } catch (err) {
      if (!webhookFailed(err) || tries >= 5) throw err;
      resubmitted++;
      await create({ kind, body } as BenchRun, tries + 1);
    }
  };
  await Promise.all(
    Array.from({ length: opts.workers }, async () => {
      while (next < runs.length) await create(runs[next++] as BenchRun);
    }),
  );
  return resubmitted;
}

/** How long one side's runs may take to finish (N = 5,000 takes minutes; a smoke round seconds). */
const FINISH_LIMIT_MS = sized(3_600_000, 180_000);

/**
 * Runs one side in `namespace`: the agent player and the finish watch first, then `drive` (which
 * makes the runs exist); measures from its start until every run finished.
 */
async function measure(
  namespace: string,
  n: number,
  drive: () => Promise<void>,
): Promise<Omit<SideFigures, 'apiCalls'>> {
  const player = await playAgents(admin, namespace);
  const finish = await untilAllFinished(admin, namespace, n);
  const api0 = apiserverCpu();
  const driver0 = process.cpuUsage();
  const t0 = performance.now();
  await drive();
  const end = await finish.within(FINISH_LIMIT_MS);
  const apiserverCpuSeconds = apiserverCpu() - api0;
  const driver = process.cpuUsage(driver0);
  await finish.stop();
  await player.stop();
  return {
    runs: n,
    seconds: (end - t0) / 1000,
    apiserverCpuSeconds,
    driverCpuSeconds: (driver.user + driver.system) / 1e6,
    outcome: finish.outcome(),
  };
}

async function operatorSide(n: number, runs: BenchRun[]): Promise<SideFigures> {
  const op = await startOperatorProcess(cluster, configFor(n), teardowns);
  try {
    const heap0 = await op.heapAfterGc();
    const before = await op.counters();
    const cpu0 = op.cpuSeconds();
    let resubmitted = 0;
    const measured = await measure(op.namespace, n, async () => {
      resubmitted = await createRuns(op.namespace, runs);
    });
    if (resubmitted)
      console.log(`operator ${n} runs: ${resubmitted} creates made again after a webhook call failed`);
    const cpuSeconds = op.cpuSeconds() - cpu0;
    const after = await op.counters();
    const heap1 = await op.heapAfterGc();
    return {
      ...measured,
      apiCalls: after.apiCalls - before.apiCalls,
      operator: {
        cpuSeconds,
        peakRssBytes: op.peakRssBytes(),
        reconciles: after.reconciles - before.reconciles,
        heapGrowthBytes: heap1 - heap0,
      },
    };
  } finally {
    await op.stop();
  }
}

async function baselineSide(n: number, runs: BenchRun[]): Promise<SideFigures> {
  const namespace = await testNamespace(
    { name: `bench scale baseline ${n}`, teardown: (fn) => teardowns.push(fn) },
    cluster,
  );
  const registry = new Registry();
  const client = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: 60_000, registry });
  const config = testConfig(configFor(n));
  let stop = async () => {};
  try {
    const measured = await measure(namespace, n, async () => {
      const baseline = await startBaseline({
        client,
        namespace,
        config,
        templates,
        runs,
        workers: opts.workers,
      });
      stop = baseline.stop;
      await baseline.created;
    });
    await stop();
    return { ...measured, apiCalls: sampleSum(await registry.metrics(), 'rest_client_requests_total') };
  } finally {
    client.close();
  }
}

async function phase(n: number, operatorFirst: boolean): Promise<PhasePair['small']> {
  const runs = benchRuns(n, opts.services, opts.failOnce);
  const results: Partial<PhasePair['small']> = {};
  for (const side of operatorFirst ? ['operator', 'baseline'] : ['baseline', 'operator']) {
    const figures = side === 'operator' ? await operatorSide(n, runs) : await baselineSide(n, runs);
    console.log(sideSummary(side, figures));
    results[side as 'operator' | 'baseline'] = figures;
  }
  return results as PhasePair['small'];
}

try {
  // Alternate which side goes first, so that neither always meets the fuller apiserver.
  const small = await phase(smallN, true);
  const large = await phase(largeN, false);
  console.log(scaleTable({ small, large }));
  console.log(scalingVerdict({ small, large }));
  console.log(clusterLoad());
  console.log(`wall time of the whole benchmark: ${((performance.now() - began) / 1000).toFixed(0)} s`);
} finally {
  for (const fn of teardowns.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  admin.close();
  await cluster.stop();
}
