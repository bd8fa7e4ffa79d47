import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { tailFile } from '../util/index.js';
import type { RealNodeImages } from './real-node-images.js';
import { type StartOptions, startCommand } from './start-command.js';

/** What a running cluster gives its users, whichever way it was obtained. */
export interface Cluster {
  kubeconfig: string;
  server: string;
  /** The command that runs a kubectl for this cluster (argv prefix). */
  kubectl: string[];
  /** Where logs and state live, when the cluster is ours. */
  dir?: string;
  kubernetesVersion?: string;
  /** Pods run (scheduler, Job controller, fake nodes played by KWOK), when known. */
  workloads?: boolean;
  /** Pods run on the real node (kubelet + containerd), with these images present, when it is one. */
  realNode?: RealNodeImages;
  stop(): Promise<void>;
}

interface ReadyLine {
  server: string;
  kubeconfig: string;
  dir: string;
  pid: number;
  kubernetesVersion: string;
  startMillis: number;
}

/** A cluster whose workloads start after its apiserver is ready (`StartOptions.workloadsLater`). */
export interface WorkloadsLater {
  /** Their binaries were not cached at the start: they are being compiled (minutes when cold). */
  building: boolean;
  /** Resolves once the fake nodes are Ready; rejects with the build's or the start's log tail. */
  ready: Promise<void>;
}

export type LocalControlPlane = Cluster & { startMillis: number; workloadsLater?: WorkloadsLater };

type StartChild = ChildProcessByStdio<Writable, Readable, null>;

/**
 * Starts the local control plane as a child process. The child stops when we call stop(), and also by
 * itself when our process dies in any way: it watches its stdin pipe, which closes with us.
 */
export async function startControlPlane(opts: StartOptions = {}): Promise<LocalControlPlane> {
  const { binary, args, workloads, realNode, late } = await startCommand(opts);
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'orchestrator-cp-'));
  // A real node also starts containerd, imports images and waits for its kubelet's Node.
  const readyTimeoutMs = opts.readyTimeoutMs ?? (realNode ? 180_000 : 60_000);
  const errLog = join(dir, 'control-plane.stderr.log');
  const errFd = openSync(errLog, 'a');
  const child = spawn(
    binary,
    [
      'start',
      '--dir',
      dir,
      `--ready-timeout=${Math.ceil(readyTimeoutMs / 1000)}s`,
      ...args,
      '--exit-with-stdin',
      // A directory we made is throwaway: the child removes it after a clean stop, even when we were
      // killed (a real node's holds its images, over a GiB a run; tests start dozens).
      ...(opts.dir ? [] : ['--remove-dir']),
    ],
    { stdio: ['pipe', 'pipe', errFd] },
  ) as StartChild;
  closeSync(errFd);
  const logs = (component: string) => () =>
    [
      `--- ${errLog} ---`,
      tailFile(errLog, 60),
      `--- ${component}.log ---`,
      tailFile(join(dir, `${component}.log`)),
    ].join('\n');
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = await nextLine<ReadyLine>(
    child,
    lines,
    readyTimeoutMs + 15_000,
    'a ready signal',
    logs('kube-apiserver'),
  );
  // The child must not keep a finished test process alive: when we exit, its stdin closes and it stops.
  child.unref();
  for (const stream of [child.stdin, child.stdout]) (stream as unknown as { unref(): void }).unref();
  // A child that has exited (a component failed) must not crash us when the late line is written.
  child.stdin.on('error', () => {});
  const stopping = new AbortController();
  const workloadsLater = late && {
    building: late.building,
    ready: (async () => {
      const line = await late.line(stopping.signal);
      child.stdin.write(`${JSON.stringify(line)}\n`);
      await nextLine(child, lines, readyTimeoutMs + 15_000, 'the workloads line', logs('kwok'));
    })(),
  };
  // Handled here so that a failure nobody waits for (a start given up) is no unhandled rejection.
  workloadsLater?.ready.catch(() => {});
  return {
    kubeconfig: ready.kubeconfig,
    server: ready.server,
    dir: ready.dir,
    kubernetesVersion: ready.kubernetesVersion,
    startMillis: ready.startMillis,
    workloads,
    ...(realNode ? { realNode } : {}),
    ...(workloadsLater ? { workloadsLater } : {}),
    kubectl: [binary, 'kubectl', `--kubeconfig=${ready.kubeconfig}`],
    stop: () => {
      stopping.abort(new Error('the control plane was stopped before its workloads were ready'));
      // The real node's own teardown bounds stopping its pods by 60 s, then its components, mounts,
      // cgroups and chains: SIGKILL before that would leave them on the host.
      return stopChild(child, realNode ? 240_000 : 60_000);
    },
  };
}

/** The next JSON line `start` prints; its exit or silence fails the start, with its logs. */
function nextLine<T>(
  child: StartChild,
  lines: AsyncIterator<string>,
  timeoutMs: number,
  what: string,
  logs: () => string,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      child.off('exit', exited);
      child.off('error', errored);
    };
    const fail = (why: string) => {
      settle();
      child.kill('SIGKILL');
      reject(new Error(`local control plane: ${why}\n${logs()}`));
    };
    const exited = (code: number | null, signal: string | null) =>
      fail(`exited (${code ?? signal}) before ${what}`);
    const errored = (err: Error) => fail(err.message);
    const timer = setTimeout(() => fail(`no ${what} within ${timeoutMs} ms`), timeoutMs);
    child.once('error', errored);
    child.once('exit', exited);
    if (child.exitCode !== null || child.signalCode !== null) {
      exited(child.exitCode, child.signalCode);
      return;
    }
    lines.next().then(({ value, done }) => {
      if (done) return; // the exit says why
      settle();
      try {
        resolve(JSON.parse(value) as T);
      } catch {
        fail(`unexpected output ${JSON.stringify(value)}`);
      }
    }, reject);
  });
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  // Unref'd since it started: waited on now, it must keep us alive until it has exited, or a caller
  // awaiting stop() sees its process end first (after the grace timer, nothing else is pending).
  child.ref();
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
