// Argo Workflows executed on the local cluster (docs/argo.md "How they are checked"): the
// workflow-controller of test/go-tools runs on the host against the test cluster, as Argo's own
// end-to-end tests run it, and every workflow pod runs argoexec on the real node. Plus what a user
// does with the argo CLI (submit from a template, resume) done through the API as the CLI does it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cluster, LocalImage } from '../../../src/cluster/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { tailFile } from '../../../src/util/index.js';
import { kubectl } from '../cluster/cluster.js';
import { testToolBinary, WORKFLOW_CONTROLLER } from '../cluster/test-tools.js';
import { startTied, type TiedProcess } from '../cluster/tied-process.js';
import { waitFor } from '../util/wait.js';
import { ensureArgoCrds } from './argo.js';
import { argoConfigWith } from './argo-kustomize.js';
import { ARGO_CONFIG } from './argo-manifests.js';
import { applyObjects, kustomize } from './kustomize.js';

/** Where the controller lives: its ConfigMap's namespace. It watches every namespace. */
const CONTROLLER_NAMESPACE = 'argo';

export const workflowsPath = (namespace: string, name?: string) =>
  `/apis/argoproj.io/v1alpha1/namespaces/${namespace}/workflows${name ? `/${name}` : ''}`;

/**
 * How a test waits for what a Workflow's steps do. Each step is a pod of Argo's executor on the one real
 * node, tens of seconds apiece while the suite's other Workflows run beside it, and minutes in the whole
 * suite's run (one play's wait took over 7 min there); a play takes six before its first run. Looked at
 * once a second: a faster poll only loads the apiserver the pods need.
 */
export const STEP_WAIT = { timeoutMs: 900_000, intervalMs: 1000 } as const;

export interface WorkflowController {
  process: TiedProcess;
  /** The controller's log file. */
  log: string;
  /** The last lines of its log, for a failure's message. */
  tail(lines?: number): string;
}

/**
 * The controller's configuration (workflow-controller-configmap): no metrics listener, so that two
 * suites' controllers never compete for a port (upstream's /healthz port 6060 is fixed: the second
 * one's is refused, which it logs and survives).
 */
const CONTROLLER_CONFIG = {
  metricsConfig: 'enabled: false\n',
  telemetryConfig: 'enabled: false\n',
  // The executor's polls of a resource step's condition and of its main container, 5 s each upstream:
  // a play's steps wait on them one after another (docs/testing.md "Argo's waits").
  executor:
    'env:\n- name: RESOURCE_STATE_CHECK_INTERVAL\n  value: 1s\n- name: WAIT_CONTAINER_STATUS_CHECK_INTERVAL\n  value: 1s\n',
};

/**
 * Argo's CRDs (minimal, as Argo's install ships them: argo.ts says why) and the controller's ConfigMap
 * installed, the controller started; resolves once it serves.
 */
export async function startWorkflowController(
  cluster: Cluster,
  executor: LocalImage,
): Promise<WorkflowController> {
  await ensureArgoCrds(cluster, 'minimal');
  const ns = await kubectl(cluster, ['create', 'namespace', CONTROLLER_NAMESPACE]);
  if (ns.code !== 0 && !ns.stderr.includes('AlreadyExists')) throw new Error(ns.stderr);
  const configMap = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'workflow-controller-configmap', namespace: CONTROLLER_NAMESPACE },
    data: CONTROLLER_CONFIG,
  };
  const applied = await applyObjects(cluster, [configMap]);
  if (applied.code !== 0) throw new Error(applied.stderr);
  const binary = await testToolBinary(WORKFLOW_CONTROLLER);
  const log = join(mkdtempSync(join(tmpdir(), 'workflow-controller-')), 'controller.log');
  // There from the start: the wrapper opens it only once its shell runs, which may come after the first read.
  writeFileSync(log, '');
  const tied = await startTied(
    [
      'env',
      // One controller, so no Lease: upstream's `make start` runs it so.
      'LEADER_ELECTION_DISABLE=true',
      // Upstream's own test setting (its Makefile's `make start`, "to speed up tests"): the workflow
      // queue's requeue after each step is 10 s by default.
      'DEFAULT_REQUEUE_TIME=1s',
      // As docs/argo.md tells an install to: the controller's copy written back into its informer can
      // hide a newer one (a resume), leaving a play Running with nothing to wake it.
      'INFORMER_WRITE_BACK=false',
      binary,
      `--kubeconfig=${cluster.kubeconfig}`,
      `--namespace=${CONTROLLER_NAMESPACE}`,
      `--executor-image=${executor.name}`,
      // The node has the image and no registry.
      '--executor-image-pull-policy=Never',
      '--loglevel=info',
    ],
    log,
  );
  const tail = (lines = 30) => tailFile(log, lines);
  await waitFor(
    'the workflow-controller to start its workers',
    (note) => {
      if (!tied.running()) throw new Error(`the workflow-controller exited:\n${tail()}`);
      const text = readFileSync(log, 'utf8');
      note(text.split('\n').slice(-3).join('\n'));
      return /Started \d+ workflow workers|Starting Workflow Controller/.test(text);
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  return { process: tied, log, tail };
}

/**
 * config/argo/workflows applied in `namespace` (templates, semaphores, Apps, the executor's account),
 * its generated files `files` (default the seed install's; an empty map: as shipped).
 */
export async function installWorkflowTemplates(
  cluster: Cluster,
  namespace: string,
  files?: Map<string, string>,
  stepImage?: string,
): Promise<KubeObject[]> {
  const dir = argoConfigWith(join(ARGO_CONFIG, 'workflows'), files);
  const objects = (await kustomize(cluster, dir)).map((o) => ({
    ...withStepImage(o, stepImage),
    metadata: { ...o.metadata, namespace },
  }));
  const applied = await applyObjects(cluster, objects);
  if (applied.code !== 0) throw new Error(`applying config/argo/workflows: ${applied.stderr}`);
  return objects;
}

/**
 * The template with its `step-image` argument's default set to `image`, as an install without the
 * internet patches it: a Workflow a Sensor creates passes no step-image, and the node cannot pull
 * busybox:1.36.
 */
function withStepImage(o: KubeObject, image: string | undefined): KubeObject {
  const params = (o.spec as { arguments?: { parameters?: { name: string; value?: string }[] } } | undefined)
    ?.arguments?.parameters;
  if (!image || !params?.some((p) => p.name === 'step-image')) return o;
  const parameters = params.map((p) => (p.name === 'step-image' ? { ...p, value: image } : p));
  const spec = o.spec as { arguments: object };
  return { ...o, spec: { ...spec, arguments: { ...spec.arguments, parameters } } };
}

export interface Workflow extends KubeObject {
  status?: {
    phase?: string;
    message?: string;
    nodes?: Record<string, WorkflowNode>;
    outputs?: { parameters?: { name: string; value?: string }[] };
    synchronization?: {
      semaphore?: {
        holding?: { semaphore: string; holders: string[] }[];
        waiting?: { semaphore: string; holders: string[] }[];
      };
    };
  };
}

export interface WorkflowNode {
  id: string;
  displayName: string;
  templateName?: string;
  type: string;
  phase?: string;
  message?: string;
  outputs?: { parameters?: { name: string; value?: string }[] };
}

/** Whether the Workflow holds (or waits for) the semaphore of `key` in its namespace's ConfigMap. */
export const semaphoreOf = (wf: Workflow, key: string, state: 'holding' | 'waiting'): boolean =>
  (wf.status?.synchronization?.semaphore?.[state] ?? []).some((s) => s.semaphore.endsWith(`/${key}`));

/** The outputs of the Workflow's entrypoint (status.outputs, which `argo get` shows), by name. */
export const workflowOutputs = (wf: Workflow): Record<string, string | undefined> =>
  Object.fromEntries((wf.status?.outputs?.parameters ?? []).map((p) => [p.name, p.value]));

/**
 * `argo submit --from workflowtemplate/NAME -p k=v`: a Workflow that references the template, with
 * these arguments. Its name is generated from `naming` (a prefix), or `naming.name`.
 */
export async function submitWorkflow(
  client: KubeClient,
  namespace: string,
  workflowTemplate: string,
  parameters: Record<string, string>,
  naming: string | { name: string } = `${workflowTemplate}-`,
): Promise<string> {
  const created = await client.request<KubeObject>('POST', workflowsPath(namespace), {
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: typeof naming === 'string' ? { generateName: naming } : naming,
      spec: {
        workflowTemplateRef: { name: workflowTemplate },
        arguments: { parameters: Object.entries(parameters).map(([name, value]) => ({ name, value })) },
      },
    },
  });
  return String(created.metadata?.name);
}

export const readWorkflow = (client: KubeClient, namespace: string, name: string) =>
  client.request<Workflow>('GET', workflowsPath(namespace, name));

/**
 * What a wait on the Workflow says when it times out: its phase, every node with its message, the
 * semaphores it holds or waits for, and the controller's last lines about it (the controller is shared
 * by suites in other namespaces, whose lines would fill an unfiltered tail).
 */
export function workflowState(wf: Workflow, controller?: { tail(lines?: number): string }) {
  const about = [`namespace=${wf.metadata?.namespace} `, `workflow=${wf.metadata?.name} `];
  const nodes = nodesOf(wf).map((n) => `${n.displayName}:${n.phase}${n.message ? ` (${n.message})` : ''}`);
  const log = controller
    ?.tail(2000)
    .split('\n')
    .filter((line) => about.every((part) => `${line} `.includes(part)))
    .slice(-8);
  return {
    phase: wf.status?.phase,
    message: wf.status?.message,
    nodes,
    semaphores: wf.status?.synchronization?.semaphore,
    log,
  };
}

/** Until the Workflow's phase is one of `phases`; the Workflow. */
export function untilWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
  phases: string[],
  controller?: WorkflowController,
): Promise<Workflow> {
  return waitFor(
    `Workflow ${name} ${phases.join(' or ')}`,
    async (note) => {
      const wf = await readWorkflow(client, namespace, name);
      note(workflowState(wf, controller));
      return phases.includes(wf.status?.phase ?? '') ? wf : undefined;
    },
    STEP_WAIT,
  );
}

/** The Workflow's nodes, by display name (`run`, `implementation`, `task(0:3)`…) and template. */
export const nodesOf = (wf: Workflow): WorkflowNode[] => Object.values(wf.status?.nodes ?? {});

/**
 * `argo resume`: every running suspend node marked Succeeded, as the CLI does when it talks to the
 * API directly (workflow/util ResumeWorkflow: an update of the Workflow, retried on conflict).
 */
export async function resumeWorkflow(client: KubeClient, namespace: string, name: string): Promise<number> {
  return waitFor(`Workflow ${name} resumed`, async (note) => {
    const wf = await readWorkflow(client, namespace, name);
    const suspended = nodesOf(wf).filter((n) => n.type === 'Suspend' && n.phase === 'Running');
    for (const node of suspended) {
      Object.assign(node, { phase: 'Succeeded', message: 'Resumed', finishedAt: new Date().toISOString() });
    }
    try {
      await client.request('PUT', workflowsPath(namespace, name), { body: wf });
      return suspended.length;
    } catch (err) {
      note(String(err));
      return undefined;
    }
  });
}
