// The pod the real Job controller made for a run's current attempt, as the tests that check what
// reaches the agent read it.
import type { RunKindName } from '../../../src/api/index.js';
import { runPath } from '../../../src/cli/kinds.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { waitFor } from '../util/wait.js';

/** The name of the run's current Job, once its status records one. */
export function runJobName(client: KubeClient, kind: RunKindName, namespace: string, name: string) {
  return waitFor(`${kind} ${name} has a Job`, async (note) => {
    const { status } = await client.request<{ status?: { jobName?: string } }>(
      'GET',
      runPath(kind, namespace, name),
    );
    note(status);
    return status?.jobName;
  });
}

/** The first pod of the run's Job (the namespace's Events are shown while there is none). */
export async function runPod(
  client: KubeClient,
  kind: RunKindName,
  namespace: string,
  name: string,
): Promise<KubeObject> {
  const jobName = await runJobName(client, kind, namespace, name);
  return waitFor(`a pod of Job ${jobName}`, async (note) => {
    const list = await client.request<{ items: KubeObject[] }>(
      'GET',
      `/api/v1/namespaces/${namespace}/pods`,
      {
        query: { labelSelector: `batch.kubernetes.io/job-name=${jobName}` },
      },
    );
    const events = await client.request<{ items: Array<{ reason?: string; message?: string }> }>(
      'GET',
      `/api/v1/namespaces/${namespace}/events`,
    );
    note(events.items.map((e) => `${e.reason}: ${e.message}`));
    return list.items[0];
  });
}
