// A test namespace's end: deleted, and the runs left in it let go of the operator's finalizer. The
// operators a test started may be stopped by then, and nobody would remove it: the namespace would stay
// Terminating for the rest of the run while the namespace controller lists and deletes every kind in
// it again every few seconds (67 such namespaces took half of both cores in a cold run).
import { kindFacts, RUN_KIND_NAMES, runResource } from '../../../src/api/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { resourcePath } from '../../../src/runtime/index.js';

/**
 * Deletes namespace `name` (in the background), then each run in it that holds the operator's
 * finalizer, and takes the finalizer off: a run being deleted is one an operator still running would
 * only clean up, never hold again.
 */
export async function endTestNamespace(client: KubeClient, name: string): Promise<void> {
  await client
    .request('DELETE', `/api/v1/namespaces/${name}`, { query: { propagationPolicy: 'Background' } })
    .catch(() => undefined);
  for (const kind of RUN_KIND_NAMES) {
    const ours = kindFacts(kind).finalizer;
    let runs: KubeObject[];
    try {
      runs = (await client.request<{ items: KubeObject[] }>('GET', resourcePath(runResource(kind), name)))
        .items;
    } catch {
      continue; // a cluster without the kind's CRD
    }
    for (const run of runs.filter((r) => r.metadata?.finalizers?.includes(ours))) {
      const path = resourcePath(runResource(kind), name, run.metadata?.name);
      try {
        const deleting = await client.request<KubeObject>('DELETE', path);
        await client.request('PATCH', path, {
          body: {
            metadata: {
              resourceVersion: deleting.metadata?.resourceVersion,
              finalizers: (deleting.metadata?.finalizers ?? []).filter((f) => f !== ours),
            },
          },
          contentType: 'application/merge-patch+json',
          discardAnswer: true,
        });
      } catch {
        // Gone already, or changed since by its operator, still running: that one it cleans up.
      }
    }
  }
}
