// The runs Argo's steps create, found by the label coderun-template and docsrun-template give them
// (`workflows.argoproj.io/workflow`), and their status written as the operator writes it, for the
// suites where the operator does not run (test/integration/argo-workflows/).
import type { RunKindName } from '../../../src/api/index.js';
import { runPath } from '../../../src/cli/kinds.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { waitFor } from '../util/wait.js';
import { readWorkflow, STEP_WAIT, workflowState, workflowsPath } from './argo-workflows.js';

export type RunPhase = 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Cancelled';

/** The runs of `kind` a Workflow created, oldest first. */
export async function runsOf(
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  workflow: string,
): Promise<KubeObject[]> {
  const list = await client.request<{ items: KubeObject[] }>('GET', runPath(kind, namespace), {
    query: { labelSelector: `workflows.argoproj.io/workflow=${workflow}` },
  });
  return list.items.sort((a, b) =>
    String(a.metadata?.creationTimestamp).localeCompare(String(b.metadata?.creationTimestamp)),
  );
}

/** Until the Workflow has created `count` runs of `kind`; they (never more: more fails the wait). */
export function untilRuns(
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  workflow: string,
  count: number,
  controller?: { tail(lines?: number): string },
): Promise<KubeObject[]> {
  return waitFor(
    `${count} ${kind}s of Workflow ${workflow}`,
    async (note) => {
      const runs = await runsOf(client, namespace, kind, workflow);
      const wf = await readWorkflow(client, namespace, workflow).catch((err: unknown) => String(err));
      note({
        runs: runs.map((r) => r.metadata?.name),
        workflow: typeof wf === 'string' ? wf : workflowState(wf, controller),
      });
      if (runs.length > count)
        throw new Error(`Workflow ${workflow} created ${runs.length} ${kind}s, more than ${count}`);
      return runs.length === count ? runs : undefined;
    },
    STEP_WAIT,
  );
}

/**
 * The run's status.phase as the operator would write it (`reason` goes into the message): the
 * operator does not run in these suites, so nothing else writes the status.
 */
export async function setRunPhase(
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  name: string,
  phase: RunPhase,
  reason: string = phase,
  /** More of the status, as the operator writes it (pullRequestUrl, usage, attempt). */
  more: Record<string, unknown> = {},
): Promise<void> {
  await client.request('PATCH', `${runPath(kind, namespace, name)}/status`, {
    body: { status: { ...more, phase, message: `set by the test: ${phase} (${reason})` } },
    contentType: 'application/merge-patch+json',
  });
}

/**
 * A Workflow `name` in `namespace` that nothing runs (its spec only names an entrypoint), to own runs
 * as a play's do: its name and uid, for an ownerReference.
 */
export async function playWorkflow(
  client: KubeClient,
  namespace: string,
  name: string,
): Promise<{ name: string; uid: string }> {
  const workflow = await client.request<KubeObject>('POST', workflowsPath(namespace), {
    body: {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: { name },
      spec: { entrypoint: 'play', templates: [{ name: 'play', suspend: {} }] },
    },
  });
  return { name, uid: String(workflow.metadata?.uid) };
}
