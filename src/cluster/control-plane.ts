import { type ChildProcess, type ChildProcessByStdio, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { packageRoot } from '../util/package-root.js';
import { tailFile } from '../util/text.js';
import { type BinaryOptions, controlPlaneBinary, kwokBinary } from './binary.js';
import { realNodeMissing } from './real-node-host.js';
import { type LocalImage, type RealNodeImages, realNodeImages } from './real-node-images.js';

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

export interface StartOptions extends BinaryOptions {
  /** State directory. Default: a new temporary directory. */
  dir?: string;
  /** How long the apiserver may take to become ready. Default 60 s. */
  readyTimeoutMs?: number;
  /** Run the garbage-collector/namespace/serviceaccount/clusterrole-aggregation controllers. Default true. */
  controllerManager?: boolean;
  /**
   * Run workloads: the Job, TTL-after-finished, pod-GC and volume-protection controllers, kube-scheduler,
   * a fake node and KWOK playing its kubelet (`cluster/stages`), and a default StorageClass `standard`,
   * so Jobs get pods that finish by themselves. Default: true, false with `controllerManager: false`.
   * False keeps the plain control plane, where nothing runs pods.
   */
  workloads?: boolean;
  /** KWOK Stage files (a file or a directory of *.yaml). Default: `cluster/stages` in this package. */
  stages?: string;
  /** Fake nodes (8 CPUs, 32Gi, 110 pods each) with workloads. Default 1; none with `realNode`. */
  nodes?: number;
  /**
   * Instead of fake nodes, one real node (docs/design.md §1.6): kubelet and kube-proxy of the control
   * plane's binary, containerd, runc and the CNI plugins from Debian, host-path provisioned volumes,
   * and the images of {@link realNodeImages} (no registry: pods use them with imagePullPolicy
   * IfNotPresent or Never). Needs root; one real node per host at a time. Default false.
   */
  realNode?: boolean;
  /**
   * More images for the real node to import beside pause and busybox, e.g. the agent image of
   * buildLocalImage (agent-image.ts). Imported at every start: big ones cost tens of seconds. Default none.
   */
  images?: LocalImage[];
}

/** The `control-plane start` command line for these options, building the binaries it needs. */
export async function startCommand(
  opts: StartOptions,
): Promise<{ binary: string; args: string[]; workloads: boolean; realNode?: RealNodeImages }> {
  const controllerManager = opts.controllerManager ?? true;
  const workloads = opts.workloads ?? controllerManager;
  if (workloads && !controllerManager)
    throw new Error(
      'workloads need the controller manager (its Job controller): drop controllerManager: false',
    );
  if (opts.images?.length && !opts.realNode)
    throw new Error('images are for the real node (the fake nodes run no image): set realNode');
  if (opts.realNode) {
    if (!workloads) throw new Error('realNode runs workloads: drop workloads: false');
    if (opts.nodes) throw new Error('realNode replaces the fake nodes: drop nodes');
    const missing = realNodeMissing();
    if (missing.length) throw new Error(`the real node needs ${missing.join('; ')}`);
  }
  const binary = await controlPlaneBinary(opts);
  const args = [`--controller-manager=${controllerManager}`, `--workloads=${workloads}`];
  if (opts.realNode) {
    const images = await realNodeImages(opts);
    args.push(
      '--real-node',
      `--sandbox-image=${images.pause.name}`,
      `--images=${[images.pause, images.busybox, ...(opts.images ?? [])].map((i) => i.archive).join(',')}`,
    );
    return { binary, args, workloads, realNode: images };
  }
  if (workloads) {
    args.push(
      `--kwok=${await kwokBinary(opts)}`,
      `--stages=${opts.stages ?? join(packageRoot(), 'cluster', 'stages')}`,
      `--nodes=${opts.nodes ?? 1}`,
    );
  }
  return { binary, args, workloads };
}

interface ReadyLine {
  server: string;
  kubeconfig: string;
  dir: string;
  pid: number;
  kubernetesVersion: string;
  startMillis: number;
}

/**
 * Starts the local control plane as a child process. The child stops when we call stop(), and also by
 * itself when our process dies in any way: it watches its stdin pipe, which closes with us.
 */
export async function startControlPlane(opts: StartOptions = {}): Promise<Cluster & { startMillis: number }> {
  const { binary, args, workloads, realNode } = await startCommand(opts);
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
  ) as ChildProcessByStdio<Writable, Readable, null>;
  closeSync(errFd);
  const ready = await readReadyLine(child, readyTimeoutMs + 15_000, () =>
    [
      `--- ${errLog} ---`,
      tailFile(errLog, 60),
      `--- kube-apiserver.log ---`,
      tailFile(join(dir, 'kube-apiserver.log')),
    ].join('\n'),
  );
  // The child must not keep a finished test process alive: when we exit, its stdin closes and it stops.
  child.unref();
  for (const stream of [child.stdin, child.stdout]) (stream as unknown as { unref(): void }).unref();
  return {
    kubeconfig: ready.kubeconfig,
    server: ready.server,
    dir: ready.dir,
    kubernetesVersion: ready.kubernetesVersion,
    startMillis: ready.startMillis,
    workloads,
    ...(realNode ? { realNode } : {}),
    kubectl: [binary, 'kubectl', `--kubeconfig=${ready.kubeconfig}`],
    stop: () => stopChild(child),
  };
}

function readReadyLine(
  child: ChildProcessByStdio<Writable, Readable, null>,
  timeoutMs: number,
  logs: () => string,
): Promise<ReadyLine> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`local control plane: ${why}\n${logs()}`));
    };
    const timer = setTimeout(() => fail(`no ready signal within ${timeoutMs} ms`), timeoutMs);
    child.once('error', (err) => fail(err.message));
    child.once('exit', (code, signal) => fail(`exited (${code ?? signal}) before it was ready`));
    lines.once('line', (line) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      try {
        resolve(JSON.parse(line) as ReadyLine);
      } catch {
        fail(`unexpected output ${JSON.stringify(line)}`);
      }
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  // The real node's teardown (pods, containerd, mounts, cgroups) takes longer than the rest.
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  await exited;
  clearTimeout(timer);
}
