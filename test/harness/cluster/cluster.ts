// The integration-test harness: one control plane per test run, a fresh namespace per test.
// Under `npm test` the control plane is started once by scripts/test.js and described in the
// environment; a test file run on its own (`npx tap test/integration/NAME.test.ts`), or one asking for
// a cluster unlike the shared one, starts its own.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { TEST_NODES } from '../../../scripts/test-cluster.js';
import { inNamespace, renderAgentSandbox } from '../../../src/cluster/agent-sandbox.js';
import { applyObjects } from '../../../src/cluster/apply.js';
import { type Cluster, clusterSource, type LocalImage, obtainCluster } from '../../../src/cluster/index.js';
import { KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import type { Scope } from '../util/scope.js';
import { scaled } from '../util/wait.js';
import { endTestNamespace } from './namespace-teardown.js';

export interface TestClusterOptions {
  /**
   * Pods run: kube-scheduler, the Job controller, and a fake node whose pods KWOK moves through the
   * stages of cluster/stages (see src/cluster StartOptions.workloads). Default true: the suites play
   * the agent (test/harness/operator/operator.ts finishJob), never the Job controller.
   */
  workloads?: boolean;
  /**
   * Pods run on a real node (kubelet, containerd; StartOptions.realNode) instead of fake ones: a
   * cluster of the test file's own, stopped (with every container and host change of the node) when
   * the file's process ends. Needs root and the packages src/cluster/real-node-host.ts lists; without
   * them testCluster rejects, saying what is missing. Default false.
   */
  realNode?: boolean;
  /** With realNode: more images the node imports (StartOptions.images). Default none. */
  images?: LocalImage[];
  /** With realNode: the node enforces NetworkPolicies (StartOptions.networkPolicies). Default false. */
  networkPolicies?: boolean;
  /** With realNode: registries the node pulls from (StartOptions.registryMirrors). Default none. */
  registryMirrors?: Record<string, string>;
}

const clusters = new Map<string, Promise<Cluster>>();

/** The ServiceAccount the shipped config's agent profiles name (but tess's, config/agents). */
export const AGENT_SERVICE_ACCOUNT = 'orchestrator-agent';

/** Whether the shared cluster of `npm test` runs pods (scripts/test.js, ORCHESTRATOR_TEST_WORKLOADS). */
const sharedWorkloads = () => process.env.ORCHESTRATOR_TEST_WORKLOADS !== 'false';

/**
 * Why this file may not have the cluster it asks for in the lane `npm test` runs it in
 * (scripts/test-lanes.js), or undefined: a unit file runs before any cluster exists, and a file that
 * starts the real node must run in the lane that runs them one after another.
 */
export function laneProblem(realNode: boolean, lane: string | undefined): string | undefined {
  if (lane === 'unit')
    return 'this file needs a cluster, so it belongs under test/integration/ (scripts/test-lanes.js)';
  if (realNode && lane !== undefined && lane !== 'real-node')
    return 'this file starts the real node, so its header needs a line `// @lane real-node` (scripts/test-lanes.js)';
  return undefined;
}

export function testCluster(opts: TestClusterOptions = {}): Promise<Cluster> {
  const workloads = opts.workloads ?? true;
  const realNode = opts.realNode ?? false;
  const problem = laneProblem(realNode, process.env.ORCHESTRATOR_TEST_LANE);
  if (problem) return Promise.reject(new Error(problem));
  const images = opts.images ?? [];
  const networkPolicies = opts.networkPolicies ?? false;
  const registryMirrors = opts.registryMirrors ?? {};
  const key = `workloads=${workloads},realNode=${realNode},networkPolicies=${networkPolicies},images=${images.map((i) => i.name).join(',')},mirrors=${JSON.stringify(registryMirrors)}`;
  const known = clusters.get(key);
  if (known) return known;
  let cluster: Promise<Cluster>;
  const kubeconfig = process.env.ORCHESTRATOR_TEST_KUBECONFIG;
  if (realNode) {
    cluster =
      clusterSource() === 'local'
        ? // One real node per host: a file's start waits (the ready limit) for another file's node to
          // stop, as `npm test` runs two files at once and both real-node suites may meet.
          obtainCluster({
            realNode: true,
            images,
            networkPolicies,
            registryMirrors,
            readyTimeoutMs: scaled(30 * 60_000),
          })
        : Promise.reject(
            new Error(
              'the real node runs on the local control plane only: unset USE_EXISTING_CLUSTER and KUBEBUILDER_ASSETS',
            ),
          );
  } else if (kubeconfig && sharedWorkloads() === workloads) {
    const kubectl = JSON.parse(process.env.ORCHESTRATOR_TEST_KUBECTL ?? '["kubectl"]') as string[];
    cluster = Promise.resolve({
      kubeconfig,
      server: process.env.ORCHESTRATOR_TEST_SERVER ?? '',
      kubectl,
      workloads,
      stop: async () => {},
    });
  } else {
    // Ours alone: it stops by itself when this process ends (it watches its stdin pipe).
    // Its ready limit as the shared control plane's (scripts/test.js): it starts beside busy lanes.
    cluster = obtainCluster({ workloads, nodes: TEST_NODES, readyTimeoutMs: scaled(10 * 60_000) });
  }
  clusters.set(key, cluster);
  return cluster;
}

export function kubeConfig(cluster: Cluster): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return kc;
}

type Teardown = Pick<Scope, 'teardown' | 'name'>;

/** config/agents, rendered once per process. */
let sandbox: KubeObject[] | undefined;

/**
 * A namespace name of the test's own, deleted (with its runs' finalizers lifted) when the test ends:
 * for a test whose subject makes the namespace itself (docs/first-run.md's install).
 */
export function testNamespaceName(t: Teardown, cluster: Cluster): string {
  const slug = t.name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  const name = `t-${slug || 'test'}-${randomBytes(3).toString('hex')}`.replace(/-+/g, '-');
  t.teardown(async () => {
    const client = new KubeClient(kubeConfig(cluster));
    try {
      await endTestNamespace(client, name);
    } finally {
      client.close();
    }
  });
  return name;
}

/** A namespace that exists for one test and is deleted after it, its runs let go (namespace-teardown.ts). */
export async function testNamespace(
  t: Teardown,
  cluster: Cluster,
  labels: Record<string, string> = {},
): Promise<string> {
  const name = testNamespaceName(t, cluster);
  const core = kubeConfig(cluster).makeApiClient(CoreV1Api);
  await core.createNamespace({
    body: { metadata: { name, labels: { 'orchestrator.io/test': 'true', ...labels } } },
  });
  // The agent sandbox (the agents' ServiceAccounts, Role, NetworkPolicies), as an install puts it
  // where runs live: without the ServiceAccounts the Job controller cannot create the pods.
  sandbox ??= renderAgentSandbox(cluster.kubectl);
  const client = new KubeClient(kubeConfig(cluster));
  try {
    await applyObjects(client, inNamespace(sandbox, name));
  } finally {
    client.close();
  }
  return name;
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kubectl against the test cluster, as a user would (killed after the scaled `timeoutMs`); never throws on a non-zero exit. */
export function kubectl(
  cluster: Cluster,
  args: string[],
  input?: string,
  timeoutMs = 60_000,
): Promise<CommandResult> {
  return runCommand([...cluster.kubectl, ...args], input, timeoutMs);
}

/** Runs a command (killed after the scaled `timeoutMs`) with `input` on stdin; never throws on a non-zero exit. */
export function runCommand(
  [cmd, ...args]: string[],
  input?: string,
  timeoutMs = 60_000,
  env: NodeJS.ProcessEnv = process.env,
): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd as string, args, {
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: scaled(timeoutMs),
      env,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    // A command that exits before reading its input closes the pipe: its exit code says what happened.
    child.stdin.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') reject(err);
    });
    child.stdin.end(input ?? '');
  });
}
