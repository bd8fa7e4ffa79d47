// A second kube-apiserver on the test cluster's etcd, which a test may stop, restart (same port, same
// data), freeze (SIGSTOP) or run with its own flags — none of which the shared apiserver allows. Its
// command line is copied from the running apiserver, so it works for the local control plane and for
// envtest alike (not for an existing remote cluster, where no apiserver process is ours).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import type { Cluster } from '../../../src/cluster/index.js';
import { freePort } from '../../../src/util/free-port.js';
import { tailFile } from '../../../src/util/text.js';
import { scaled, WaitTimeout, waitFor } from '../util/wait.js';
import { kubeConfig } from './cluster.js';
import { processesMentioning } from './processes.js';
import { startTied, type TiedProcess } from './tied-process.js';

export interface ExtraApiserver {
  kubeconfig: string;
  /** The etcd client URL both apiservers use. */
  etcd: string;
  /**
   * Stops it (SIGTERM, then SIGKILL after `graceMs`, default 2 s, scaled: with watches open the apiserver
   * would otherwise linger in its shutdown) and waits until it is gone.
   */
  stop(graceMs?: number): Promise<void>;
  /** Starts it again on the same port and data; resolves once /readyz passes. */
  start(): Promise<void>;
  /** Freezes the process: connections stay open and silent. */
  pause(): void;
  resume(): void;
}

function apiserverCommandLine(cluster: Cluster, kc: KubeConfig): string[] {
  const port = new URL(kc.getCurrentCluster()?.server ?? cluster.server).port;
  for (const pid of processesMentioning(`--secure-port=${port}`)) {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    if (argv.some((a) => a.endsWith('kube-apiserver')) && argv.some((a) => a.startsWith('--etcd-servers=')))
      return argv;
  }
  throw new Error(
    `no kube-apiserver process serving ${cluster.server} on this machine: this test needs a control plane started ` +
      'by the test run (the local one or envtest), not an existing remote cluster',
  );
}

function readyz(kc: KubeConfig): Promise<boolean> {
  return new Promise((resolve) => {
    const options: Parameters<typeof request>[1] = {};
    void kc.applyToHTTPSOptions(options).then(() => {
      const req = request(
        `${kc.getCurrentCluster()?.server}/readyz`,
        { ...options, timeout: scaled(2_000) },
        (res) => {
          res.resume();
          resolve(res.statusCode === 200);
        },
      );
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
      req.end();
    });
  });
}

export async function startExtraApiserver(
  cluster: Cluster,
  extraArgs: string[] = [],
): Promise<ExtraApiserver> {
  const base = kubeConfig(cluster);
  const original = apiserverCommandLine(cluster, base);
  const port = await freePort();
  const argv = [
    ...original.filter((a) => !a.startsWith('--secure-port=')),
    `--secure-port=${port}`,
    ...extraArgs,
  ];
  const etcd = (original.find((a) => a.startsWith('--etcd-servers=')) as string)
    .split('=')[1]
    ?.split(',')[0] as string;
  const dir = mkdtempSync(join(tmpdir(), 'extra-apiserver-'));
  const log = join(dir, 'kube-apiserver.log');

  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: base.getClusters().map((c) => ({ ...c, server: `https://127.0.0.1:${port}` })),
    users: base.getUsers(),
    contexts: base.getContexts(),
    currentContext: base.getCurrentContext(),
  });
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kc.exportConfig(), { mode: 0o600 });

  let proc: TiedProcess | undefined;
  const start = async () => {
    const started = await startTied(argv, log);
    proc = started;
    await waitFor(
      'the extra kube-apiserver to become ready',
      async () => {
        if (!started.running()) throw new Error(`extra kube-apiserver exited\n${tailFile(log)}`);
        return readyz(kc);
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw err instanceof WaitTimeout ? new WaitTimeout(`${err.message}\n${tailFile(log)}`) : err;
    });
  };
  const signal = (sig: NodeJS.Signals) => {
    if (!proc?.running()) throw new Error(`extra kube-apiserver is not running (${sig})`);
    process.kill(proc.pid, sig);
  };
  await start();
  return {
    kubeconfig,
    etcd,
    start,
    stop: async (graceMs?: number) => proc?.stop(graceMs),
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}

/** Compacts etcd up to its current revision, so that watches from any older resourceVersion get 410. */
export async function compactEtcd(etcd: string): Promise<number> {
  const post = async (path: string, body: unknown) => {
    const res = await fetch(`${etcd}${path}`, { method: 'POST', body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`etcd ${path}: HTTP ${res.status} ${await res.text()}`);
    return (await res.json()) as { header?: { revision?: string } };
  };
  const range = await post('/v3/kv/range', { key: Buffer.from('/').toString('base64') });
  const revision = range.header?.revision;
  if (!revision) throw new Error('etcd did not report its revision');
  await post('/v3/kv/compaction', { revision, physical: true });
  return Number(revision);
}
