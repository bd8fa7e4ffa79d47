import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { buildLocalImage, cacheRoot, installCrds, startCommand, withClient } from '../cluster/index.js';
import { tailFile } from '../util/index.js';

interface State {
  server: string;
  kubeconfig: string;
  pid: number;
  kubernetesVersion: string;
}

const defaultDir = () => join(cacheRoot(), 'clusters', 'default');

function readState(dir: string): State | undefined {
  try {
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as State;
    process.kill(state.pid, 0);
    return state;
  } catch {
    return undefined;
  }
}

function printEnv(state: State): void {
  console.log(`# kube-apiserver ${state.kubernetesVersion} at ${state.server}`);
  console.log(`export KUBECONFIG=${state.kubeconfig}`);
}

interface UpOptions {
  crds: boolean;
  timeout?: string;
  workloads: boolean;
  realNode?: boolean;
  /** With realNode: build images/agent (cached) and import it, printing its name for the config. */
  agentImage?: boolean;
  /** With realNode: enforce NetworkPolicies there (StartOptions.networkPolicies). */
  networkPolicies?: boolean;
}

async function up(dir: string, opts: UpOptions): Promise<void> {
  const running = readState(dir);
  if (running) {
    console.log('# already running');
    printEnv(running);
    return;
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const log = (m: string) => console.error(`# ${m}`);
  if (opts.agentImage && !opts.realNode)
    throw new Error('--agent-image is for the real node: add --real-node');
  if (opts.networkPolicies && !opts.realNode)
    throw new Error('--network-policies is for the real node: add --real-node');
  const images = opts.agentImage ? [await buildLocalImage({ log, progress: log })] : [];
  const { binary, args } = await startCommand({
    workloads: opts.workloads,
    realNode: opts.realNode ?? false,
    networkPolicies: opts.networkPolicies ?? false,
    images,
    log,
  });
  // The real node also starts containerd and waits for its kubelet: a longer default.
  const timeout = opts.timeout ?? (opts.realNode ? '180s' : '60s');
  const out = openSync(join(dir, 'control-plane.out.log'), 'w');
  // Detached: it outlives this command; `orchestrator cluster down` stops it through state.json.
  const child = spawn(binary, ['start', '--dir', dir, `--ready-timeout=${timeout}`, ...args], {
    detached: true,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  child.unref();
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  let state: State | undefined;
  while (!state) {
    if (exited !== null) {
      throw new Error(
        `the control plane exited (${exited}):\n${tailFile(join(dir, 'control-plane.out.log'))}`,
      );
    }
    await sleep(200);
    state = readState(dir);
  }
  if (opts.crds) {
    await withClient(state.kubeconfig, installCrds);
    console.error('# CRDs installed');
  }
  printEnv(state);
  for (const image of images)
    console.log(`# the node has the agent image ${image.name} (imagePullPolicy: Never)`);
  console.log('# stop it with: orchestrator cluster down');
}

async function down(dir: string): Promise<void> {
  const state = readState(dir);
  if (!state) {
    console.log('no local control plane is running');
    rmSync(dir, { recursive: true, force: true });
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  // The real node's teardown (pods, containerd, mounts, cgroups, bridge) needs more than the rest.
  const deadline = Date.now() + 60_000;
  while (readState(dir) && Date.now() < deadline) await sleep(200);
  if (readState(dir)) process.kill(state.pid, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
  console.log('stopped');
}

export function registerClusterCommands(program: Command): void {
  const cluster = program
    .command('cluster')
    .description('a local Kubernetes control plane for development (no Docker needed)');
  cluster
    .command('up')
    .description(
      'build (first time, minutes) and start kube-apiserver + etcd on loopback with a scheduler and a fake node whose pods KWOK simulates; install the CRDs',
    )
    .option('--dir <dir>', 'state directory', defaultDir())
    .option('--no-crds', 'do not install the orchestrator CRDs')
    .option(
      '--no-workloads',
      'no scheduler, Job controller, fake node or KWOK: nothing runs pods (Job status is yours to set)',
    )
    .option(
      '--real-node',
      'instead of the fake node, a real node: kubelet, kube-proxy and containerd run real containers (needs root and the Debian packages of the README)',
    )
    .option(
      '--agent-image',
      'with --real-node: build the agent image of images/agent (first time, minutes; cached) and import it into the node',
    )
    .option(
      '--network-policies',
      "with --real-node: enforce NetworkPolicies there with kube-router's policy controller (first time, minutes to build; cached)",
    )
    .option('--timeout <duration>', 'readiness timeout (default 60s, 180s with --real-node)')
    .action((o: UpOptions & { dir: string }) => up(o.dir, o));
  cluster
    .command('down')
    .description('stop the local control plane and delete its state')
    .option('--dir <dir>', 'state directory', defaultDir())
    .action((o: { dir: string }) => down(o.dir));
  cluster
    .command('env')
    .description('print the shell line that points kubectl at the local control plane')
    .option('--dir <dir>', 'state directory', defaultDir())
    .action((o: { dir: string }) => {
      const state = readState(o.dir);
      if (!state)
        throw new Error('no local control plane is running; start one with `orchestrator cluster up`');
      printEnv(state);
    });
}
