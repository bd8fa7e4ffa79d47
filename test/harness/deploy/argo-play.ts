// What the real-node tests of orchestrator-play (test/integration/argo-workflows/rounds.ts, stages.ts) do to a play in
// place of the operator and the Sensor github-play-gates: submit it under the name its events go to,
// label and annotate it as the Sensor would, write its runs' phases and, when its implementation or
// quality run succeeds, the reading of its task marker (the operator's own patch, decision 0057), and
// wait for its steps.
import t from 'tap';
import type { CodeRun } from '../../../src/api/index.js';
import { runPath } from '../../../src/cli/kinds.js';
import { markerPatch, type RecordedReading } from '../../../src/controllers/play/association.js';
import { playKey, stageOf } from '../../../src/controllers/play/stage-report.js';
import { KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import { kubeConfig, testCluster } from '../cluster/cluster.js';
import { seedConfig } from '../util/app-configs.js';
import { scaled, waitFor } from '../util/wait.js';
import { argoexecImage } from './argo-images.js';
import { setRunPhase } from './argo-runs.js';
import {
  nodesOf,
  readWorkflow,
  STEP_WAIT,
  startWorkflowController,
  submitWorkflow,
  type WorkflowController,
  type WorkflowNode,
  workflowsPath,
} from './argo-workflows.js';
import { ensureCrds } from './crds.js';

let started: ReturnType<typeof startPlaySuite> | undefined;

/**
 * The process's cluster with a real node, Argo's CRDs and ours, and its workflow-controller, stopped at
 * the end; the play's driver with busybox as the step image. Started once: the suite modules of
 * test/integration/argo-workflows.test.ts all ask for it, and a second controller would run every Workflow
 * twice.
 */
export function playSuite(): ReturnType<typeof startPlaySuite> {
  started ??= startPlaySuite();
  return started;
}

async function startPlaySuite() {
  // Nine plays of many steps each, on one node beside the whole suite: the real-node lane's hour, not less.
  t.setTimeout(scaled(55 * 60_000));
  const executor = await argoexecImage();
  const cluster = await testCluster({ realNode: true, images: [executor] });
  const busybox = cluster.realNode?.busybox.name;
  if (!busybox) throw new Error('testCluster({ realNode: true }) gave a cluster without a real node');
  await ensureCrds(cluster);
  const controller = await startWorkflowController(cluster, executor);
  const client = new KubeClient(kubeConfig(cluster));
  t.teardown(async () => {
    client.close();
    await controller.process.stop();
  });
  return { cluster, client, controller, ...playDriver(client, controller, busybox) };
}

/** A reading of the task's marker as the operator records it: by default, one naming the task, on #12. */
export const markerReading = (task: number, verdict = `task-${task}`, detail?: string): RecordedReading => ({
  verdict,
  detail:
    detail ??
    `.orchestrator/tasks/task-${task}.json at 0123456789ab of acme/payments#12 ${verdict === 'missing' ? 'is missing' : `names ${verdict.replace('-', ' ')}`}`,
  commit: '0123456789ab'.padEnd(40, '0'),
  pullRequest: 12,
});

export function playDriver(client: KubeClient, controller: WorkflowController, stepImage: string) {
  const config = seedConfig();
  const parameters = (service: string, task: number, more: Record<string, string> = {}) => ({
    'task-id': String(task),
    'service-id': service,
    'repository-url': `https://github.com/acme/${service}`,
    'docs-repository-url': 'https://github.com/acme/docs',
    'step-image': stepImage,
    ...more,
  });
  const readRun = (ns: string, name: string) =>
    client.request<KubeObject>('GET', runPath('CodeRun', ns, name));
  /** Until the play's step `name` is in one of `phases` (of the rounds, the first so); that node. */
  const untilNode = (ns: string, wf: string, name: string, phases: string[]) =>
    waitFor(
      `Workflow ${wf}: step ${name} ${phases.join('/')}`,
      async (note) => {
        const w = await readWorkflow(client, ns, wf);
        note({ phase: w.status?.phase, nodes: nodesOf(w).map((n) => `${n.displayName}:${n.phase}`) });
        return nodesOf(w).find((n) => n.displayName === name && phases.includes(String(n.phase)));
      },
      STEP_WAIT,
    );
  return {
    parameters,
    /** A play under the name its events go to (its association step requires it). */
    play: (ns: string, service: string, task: number, more?: Record<string, string>) =>
      submitWorkflow(client, ns, 'orchestrator-play', parameters(service, task, more), {
        name: `play-${service}-t${task}`,
      }),
    /** What the Sensor github-play-gates writes: labels (and annotations) merged into the play's. */
    labelPlay: (
      ns: string,
      wf: string,
      labels: Record<string, string>,
      annotations?: Record<string, string>,
    ) =>
      client.request('PATCH', workflowsPath(ns, wf), {
        body: { metadata: { labels, ...(annotations ? { annotations } : {}) } },
        contentType: 'application/merge-patch+json',
      }),
    /**
     * The run Succeeded, with `more` of its status (pullRequestUrl, usage, attempt) as the operator
     * writes it; an implementation or quality stage's marker read as `reading` (default: the task's).
     */
    async succeed(
      ns: string,
      run: KubeObject | undefined,
      more?: Record<string, unknown>,
      reading?: RecordedReading,
    ) {
      await setRunPhase(client, ns, 'CodeRun', String(run?.metadata?.name), 'Succeeded', 'Succeeded', more);
      const key = run && playKey(run as CodeRun);
      if (!key || !['implementation', 'quality'].includes(stageOf(run as CodeRun, config).stage)) return;
      await client.request('PATCH', workflowsPath(ns, key.workflow), {
        body: markerPatch(key.uid, reading ?? markerReading(key.taskId)),
        contentType: 'application/merge-patch+json',
      });
    },
    readRun,
    /** Until the run has spec.cancelled (the play's write); then its end, as the operator writes it. */
    async untilCancelled(ns: string, name: string) {
      await waitFor(
        `CodeRun ${name} cancelled`,
        async (note) => {
          const run = await readRun(ns, name);
          note({ spec: run.spec, controller: controller.tail(5) });
          return (run.spec as { cancelled?: boolean }).cancelled === true;
        },
        STEP_WAIT,
      );
      await setRunPhase(client, ns, 'CodeRun', name, 'Cancelled', 'spec.cancelled');
    },
    untilNode,
    /** Until the play's step `name` is running (of the rounds, the one running). */
    untilStep: (ns: string, wf: string, name: string): Promise<WorkflowNode> =>
      untilNode(ns, wf, name, ['Running']),
    names: (runs: KubeObject[]) => runs.map((r) => String(r.metadata?.name)),
  };
}
