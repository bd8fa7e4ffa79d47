// The controller-runtime peer's two processes (its README: peers/controller-runtime), started by the
// benchmarks beside the project's: the manager (the TaskRun controller) for bench:reconcile and the
// webhook server for bench:webhook. The binaries come from `--peer-bin DIR` (bench-args.js).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { PEER_BINARIES, peerBinary } from './bench-args.js';
import { procCpu } from './proc-usage.js';

const READY_TIMEOUT_MS = 60_000;

/**
 * The peer's manager reconciling TaskRuns in one namespace, webhooks, metrics and probes off. Resolves
 * once its controller has started its workers (its log says so); `stop()` sends SIGTERM and resolves
 * with what the manager counted (its --stats-file, written on exit): API calls (watches apart) by
 * verb and TaskRun reconciles.
 */
export async function startPeerManager({ binDir, kubeconfig, namespace, configFile, workers }) {
  const binary = peerBinary(binDir, PEER_BINARIES.manager);
  const statsDir = mkdtempSync(join(tmpdir(), 'bench-peer-'));
  const statsFile = join(statsDir, 'stats.json');
  const child = spawn(
    binary,
    [
      `--kubeconfig=${kubeconfig}`,
      `--namespace=${namespace}`,
      `--config=${configFile}`,
      `--max-concurrent-reconciles=${workers}`,
      `--stats-file=${statsFile}`,
      '--metrics-bind-address=0',
      '--health-probe-bind-address=0',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ENABLE_WEBHOOKS: 'false' } },
  );
  reapOnExit(child);
  // Its log is read to the end (a full pipe would stall it); errors and the last lines are kept to show.
  const errors = [];
  const last = [];
  const lines = createInterface({ input: child.stderr });
  await untilReady(child, 'the peer manager', (ready) =>
    lines.on('line', (line) => {
      if (line.includes('Starting workers')) ready();
      if (/\tERROR\t/.test(line)) errors.push(line.slice(0, 500));
      if (last.push(line.slice(0, 500)) > 5) last.shift();
    }),
  );
  return {
    pid: child.pid,
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`))),
    stop: async () => {
      await stopChild(child);
      try {
        const stats = JSON.parse(readFileSync(statsFile, 'utf8'));
        return { calls: stats.apiCalls, reconciles: stats.reconciles, byVerb: stats.byVerb, errors };
      } catch (err) {
        // It writes the file only when its manager stopped cleanly.
        const end = child.signalCode ?? `code ${child.exitCode}`;
        throw new Error(
          `the peer manager left no stats (${err.code ?? err.message}; it exited with ${end}); its last log lines:\n` +
            last.join('\n'),
        );
      } finally {
        rmSync(statsDir, { recursive: true, force: true });
      }
    },
  };
}

/**
 * The peer's webhook server on 127.0.0.1, serving the project's webhook paths with the certificate in
 * `certDir` (tls.crt, tls.key); resolves once it accepts connections. `cpu()` reads its CPU time
 * from /proc, in the shape of process.cpuUsage().
 */
export async function startPeerWebhook({ binDir, certDir, configFile }) {
  const binary = peerBinary(binDir, PEER_BINARIES.webhook);
  const { freePort } = await import('../dist/util/free-port.js');
  const port = await freePort();
  const child = spawn(
    binary,
    [
      '--host=127.0.0.1',
      `--port=${port}`,
      `--cert-file=${join(certDir, 'tls.crt')}`,
      `--key-file=${join(certDir, 'tls.key')}`,
      `--config=${configFile}`,
    ],
    { stdio: 'ignore' },
  );
  reapOnExit(child);
  await untilReady(child, 'the peer webhook server', (ready) => pollConnect(port, ready, child));
  return { pid: child.pid, port, cpu: async () => procCpu(child.pid), stop: () => stopChild(child) };
}

/** A bench that fails half-way must not leave the peer running (it is no child that exits with us). */
function reapOnExit(child) {
  const reap = () => child.kill('SIGKILL');
  process.on('exit', reap);
  child.once('exit', () => process.off('exit', reap));
}

/** Resolves once `watch` calls its `ready`; rejects if the child exits first or takes too long. */
function untilReady(child, what, watch) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${what} was not ready within ${READY_TIMEOUT_MS / 1000} s`));
    }, READY_TIMEOUT_MS);
    const exited = (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${what} exited before it was ready (${signal ?? `code ${code}`})`));
    };
    child.once('exit', exited);
    child.once('error', exited);
    watch(() => {
      clearTimeout(timer);
      child.off('exit', exited);
      resolve();
    });
  });
}

/** Calls `ready` once the port accepts a connection; gives up when the child has exited. */
function pollConnect(port, ready, child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const socket = connect(port, '127.0.0.1');
  socket.once('connect', () => {
    socket.destroy();
    ready();
  });
  socket.once('error', () => setTimeout(() => pollConnect(port, ready, child), 100));
}

async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
