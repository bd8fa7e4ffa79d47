// When every run of a scale-benchmark phase is finished (Succeeded or Failed at its last attempt), as
// a watch on the phase's namespace shows it, and how they ended.
import { RUN_KIND_NAMES, type RunKindName, runFinished, runResource } from '../../src/api/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { type NamespaceWatch, watchNamespace } from './namespace-watch.js';

export interface Outcome {
  succeeded: number;
  failed: number;
  /** Finished runs that took more than one attempt. */
  retried: number;
}

export interface FinishWatch {
  /** performance.now() when the last of the `n` runs finished. */
  at: Promise<number>;
  /** How the runs ended (read once they all have). */
  outcome(): Outcome;
  stop(): Promise<void>;
}

type RunStatus = { phase?: string; attempt?: number } | undefined;

export async function untilAllFinished(
  client: KubeClient,
  namespace: string,
  n: number,
): Promise<FinishWatch> {
  const finished = new Map<string, RunStatus>();
  let resolve: (at: number) => void = () => {};
  const at = new Promise<number>((r) => {
    resolve = r;
  });
  const seen = (kind: RunKindName) => (obj: KubeObject) => {
    if (!runFinished(kind, obj)) return;
    finished.set(`${kind}/${obj.metadata?.name}`, obj.status as RunStatus);
    if (finished.size === n) resolve(performance.now());
  };
  const watches: NamespaceWatch[] = [];
  for (const kind of RUN_KIND_NAMES)
    watches.push(await watchNamespace(client, runResource(kind), namespace, seen(kind)));
  return {
    at,
    outcome: () => {
      const statuses = [...finished.values()];
      return {
        succeeded: statuses.filter((s) => s?.phase === 'Succeeded').length,
        failed: statuses.filter((s) => s?.phase === 'Failed').length,
        retried: statuses.filter((s) => (s?.attempt ?? 1) > 1).length,
      };
    },
    stop: async () => {
      await Promise.all(watches.map((w) => w.stop()));
    },
  };
}
