// What each namespace's runs have spent, from the run caches of every kind (status.attemptUsage),
// kept up to date by their events, so a budget is summed without going through every cached run.
// Everything comes from the runs' status, so another replica that becomes leader, or a restarted one,
// rebuilds the same figures from the cluster (docs/economics.md, docs/design.md §5.3).
import { type AttemptUsage, parseUsd, type Run, type RunKindName } from '../../api/index.js';
import { type EventSource, type KubeObject, objectKey, type ReadOnlyStore } from '../../runtime/index.js';

/** One finished attempt's spend: when it ended (ms since the epoch) and its cost in micro-dollars. */
export interface Spend {
  at: number;
  micros: number;
}

/** The spend of each attempt of a run's status. */
export function spendOf(run: KubeObject): Spend[] {
  const entries: AttemptUsage[] = (run.status as Run['status'])?.attemptUsage ?? [];
  const spends: Spend[] = [];
  for (const entry of entries) {
    const at = Date.parse(entry.finishedAt);
    const micros = parseUsd(entry.costUsd) ?? 0;
    if (Number.isFinite(at) && micros > 0) spends.push({ at, micros });
  }
  return spends;
}

export class SpendIndex {
  /** By namespace, the spends of each run that has any, by the run's kind and key. */
  private readonly byNamespace = new Map<string, Map<string, Spend[]>>();

  /**
   * `namespaces`: a cache of the namespaces (their labels), for budgets that select namespaces by
   * label; absent when the manager watches a fixed list of namespaces (the config refuses such budgets).
   */
  constructor(
    kinds: ReadonlyArray<{ kind: RunKindName; runs: EventSource }>,
    private readonly namespaces?: ReadOnlyStore,
  ) {
    for (const { kind, runs } of kinds) {
      const follow = (obj: KubeObject, gone = false) => this.set(`${kind}/${objectKey(obj)}`, obj, gone);
      runs.addHandler({
        onAdd: (obj) => follow(obj),
        onUpdate: (_, obj) => follow(obj),
        onDelete: (obj) => follow(obj, true),
      });
      for (const obj of runs.list()) follow(obj);
    }
  }

  private set(key: string, run: KubeObject, gone: boolean): void {
    const namespace = run.metadata?.namespace ?? '';
    const spends = gone ? [] : spendOf(run);
    let runs = this.byNamespace.get(namespace);
    if (spends.length === 0) {
      runs?.delete(key);
      if (runs?.size === 0) this.byNamespace.delete(namespace);
      return;
    }
    if (!runs) {
      runs = new Map();
      this.byNamespace.set(namespace, runs);
    }
    runs.set(key, spends);
  }

  /** A namespace's labels, as the namespace cache has them ({} when unknown). */
  labelsOf(namespace: string): Record<string, string> {
    return this.namespaces?.get('', namespace)?.metadata?.labels ?? {};
  }

  /** The micro-dollars spent from `since` (ms) on in the namespaces `covers` accepts. */
  spent(covers: (namespace: string) => boolean, since: number): number {
    let total = 0;
    for (const [namespace, runs] of this.byNamespace) {
      if (!covers(namespace)) continue;
      for (const spends of runs.values()) for (const s of spends) if (s.at >= since) total += s.micros;
    }
    return total;
  }
}
