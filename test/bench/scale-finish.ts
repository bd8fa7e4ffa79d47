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
  /**
   * performance.now() when the last of the `n` runs finished; rejects after `limitMs` (from this call)
   * naming how many had and the status of some that had not.
   */
  within(limitMs: number): Promise<number>;
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
  const latest = new Map<string, RunStatus>();
  let resolve: (at: number) => void = () => {};
  const at = new Promise<number>((r) => {
    resolve = r;
  });
  const seen = (kind: RunKindName) => (obj: KubeObject) => {
    latest.set(`${kind}/${obj.metadata?.name}`, obj.status as RunStatus);
    if (!runFinished(kind, obj)) return;
    finished.set(`${kind}/${obj.metadata?.name}`, obj.status as RunStatus);
    if (finished.size === n) resolve(performance.now());
  };
  const watches: NamespaceWatch[] = [];
  for (const kind of RUN_KIND_NAMES)
    watches.push(await watchNamespace(client, runResource(kind), namespace, seen(kind)));
  const behind = () => {
    const open = [...latest].filter(([run]) => !finished.has(run)).slice(0, 5);
    const text = open.map(([run, status]) => `${run}: phase ${status?.phase ?? 'unset'}`).join('; ');
    return `${finished.size} of ${n} runs in ${namespace} finished (${latest.size} seen); not yet ${text}`;
  };
  return {
    within: async (limitMs) => {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`waited ${limitMs / 1000} s for every run to finish, in vain: ${behind()}`)),
          limitMs,
        );
      });
      try {
        return await Promise.race([at, limit]);
      } finally {
        clearTimeout(timer);
      }
    },
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
