// The operator side of a scale-benchmark phase: `orchestrator run` as its own process, installed as
// `kubectl apply -k config/default` would install it (its RBAC and ServiceAccount, leader election,
// the webhooks registered for its namespace: test/harness/operator/installed-replicas.ts), with a hook that
// reports its heap after a full GC on SIGUSR2 (heap-hook.mjs). Its CPU and peak RSS come from /proc,
// its reconciles and API calls from its own metrics endpoint (scraped as the ServiceMonitor does).
import { fileURLToPath } from 'node:url';
import type { ControllerConfig } from '../../src/api/index.js';
import type { Cluster } from '../../src/cluster/index.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import type { NodeProcess } from '../harness/cluster/node-process.js';
import { get, installReplicas } from '../harness/operator/installed-replicas.js';
import type { Replica } from '../harness/operator/replicas.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { waitFor } from '../harness/util/wait.js';
import { cpuSeconds, peakRssBytes } from './proc-stats.js';

const HOOK = fileURLToPath(new URL('./heap-hook.mjs', import.meta.url));
const HEAP_LINE = 'bench heap after gc';

export interface OperatorProcess {
  namespace: string;
  /** Everything the process counted so far. */
  counters(): Promise<{ reconciles: number; apiCalls: number }>;
  cpuSeconds(): number;
  peakRssBytes(): number;
  /** Heap in use after a full collection. */
  heapAfterGc(): Promise<number>;
  stop(): Promise<void>;
}

/** Asks the hook for the heap after GC and waits for its answer (a line with the next sequence number). */
async function heapAfterGc(proc: NodeProcess, sequence: number): Promise<number> {
  proc.child.kill('SIGUSR2');
  const line = await proc.waitForLog(
    (l) => l.msg === HEAP_LINE && l.sequence === sequence,
    `heap report ${sequence}`,
    120_000,
  );
  return Number(line.heapUsed);
}

export async function startOperatorProcess(
  cluster: Cluster,
  change: (config: ControllerConfig) => void,
  teardowns: Array<() => unknown>,
): Promise<OperatorProcess> {
  const t = { name: 'bench scale', teardown: (fn: () => unknown) => teardowns.push(fn) };
  const installation = await installReplicas(t, cluster, {
    prefix: 'scale',
    count: 1,
    env: { NODE_OPTIONS: `--import=${HOOK}` },
    change: (c) => {
      // The Deployment's lease timings, not the short ones of the failover tests: a loaded machine
      // must not make the only replica lose its lease mid-run.
      c.leaderElection = { ...loadDefaultConfig().leaderElection, leaseName: c.leaderElection.leaseName };
      change(c);
    },
  });
  const replica = installation.replicas[0] as Replica;
  // Scraped as the ServiceMonitor does (HTTPS, the scraper's token); again until it answers within
  // the 5 s limit, which a loaded machine may miss.
  const { path, token } = installation.metrics;
  const metrics = () =>
    waitFor(
      'the operator metrics',
      () =>
        get(replica.metricsPort, path, installation.caPem, undefined, token).then(
          (r) => r.status === 200 && r.body,
          () => undefined,
        ),
      { timeoutMs: 120_000 },
    );
  await waitFor(
    'the operator to lead',
    async () => sampleSum(await metrics(), 'leader_election_master_status') === 1,
    {
      timeoutMs: 60_000,
    },
  );
  let heapReports = 0;
  const pid = replica.process.pid;
  return {
    namespace: installation.namespace,
    counters: async () => {
      const text = await metrics();
      return {
        reconciles: sampleSum(text, 'controller_runtime_reconcile_total'),
        apiCalls: sampleSum(text, 'rest_client_requests_total'),
      };
    },
    cpuSeconds: () => cpuSeconds(pid),
    peakRssBytes: () => peakRssBytes(pid),
    heapAfterGc: () => heapAfterGc(replica.process, ++heapReports),
    stop: () => replica.kill(),
  };
}
