// What each namespace has spent, kept up to date by the events of a cache, so a budget is summed
// without going through every cached object: with the model gateway, from the gateway's ledger (its
// records outlive the runs, and no agent writes them); without it, from the run caches of every kind
// (status.attemptUsage, what the agents reported). Everything comes from the cluster, so another
// replica that becomes leader, or a restarted one, rebuilds the same figures (docs/economics.md,
// docs/design.md §5.3).
import {
  type AttemptUsage,
  parseUsd,
  type Run,
  type RunKindName,
  type SpendSource,
  utcDayStart,
} from '../../api/index.js';
import { countsAt, readRecord } from '../../gateway/index.js';
import { type EventSource, type KubeObject, objectKey, type ReadOnlyStore } from '../../runtime/index.js';
import { GroupedMap } from '../../util/index.js';

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

/** A cache whose objects carry spend, and how to read it. */
export interface SpendFeed {
  /** Tells the feed's objects apart from another feed's. */
  name: string;
  source: SpendSource;
  events: EventSource;
  /** The namespace an object's spend counts in, and that spend. */
  read(obj: KubeObject): { namespace: string; spends: Spend[] };
}

/** The runs of a kind: what their attempts reported (status.attemptUsage). */
export const runSpends = (kind: RunKindName, runs: EventSource): SpendFeed => ({
  name: kind,
  source: 'SelfReported',
  events: runs,
  read: (run) => ({ namespace: run.metadata?.namespace ?? '', spends: spendOf(run) }),
});

/** The model gateway's ledger records (src/gateway/ledger-record.ts): what it metered, by the run's namespace. */
export const ledgerSpends = (records: EventSource): SpendFeed => ({
  name: 'ledger',
  source: 'Gateway',
  events: records,
  read: (cm) => {
    const record = readRecord(cm);
    return record && record.costMicros > 0
      ? { namespace: record.attempt.namespace, spends: [{ at: countsAt(record), micros: record.costMicros }] }
      : { namespace: '', spends: [] };
  },
});

export class SpendIndex {
  /** By namespace, the spends of each object that has any, by its feed and key. */
  private readonly spends = new GroupedMap<Spend[]>();
  /** Whose figures the budgets sum: the gateway's when any feed is its ledger. */
  readonly source: SpendSource;

  /**
   * `namespaces`: a cache of the namespaces (their labels), for budgets that select namespaces by
   * label; absent when the manager watches a fixed list of namespaces (the config refuses such budgets).
   */
  constructor(
    feeds: readonly SpendFeed[],
    private readonly namespaces?: ReadOnlyStore,
  ) {
    this.source = feeds.some((f) => f.source === 'Gateway') ? 'Gateway' : 'SelfReported';
    for (const { name, events: source, read } of feeds) {
      const follow = (obj: KubeObject, gone = false) => {
        const key = `${name}/${objectKey(obj)}`;
        this.spends.delete(key);
        if (gone) return;
        const { namespace, spends } = read(obj);
        if (spends.length > 0) this.spends.set(key, namespace, spends);
      };
      source.addHandler({
        onAdd: (obj) => follow(obj),
        onUpdate: (_, obj) => follow(obj),
        onDelete: (obj) => follow(obj, true),
      });
      for (const obj of source.list()) follow(obj);
    }
  }

  /** A namespace's labels, as the namespace cache has them ({} when unknown). */
  labelsOf(namespace: string): Record<string, string> {
    return this.namespaces?.get('', namespace)?.metadata?.labels ?? {};
  }

  /** The micro-dollars spent from `since` (ms) on in the namespaces `covers` accepts. */
  spent(covers: (namespace: string) => boolean, since: number): number {
    let total = 0;
    for (const s of this.spendsFrom(covers, since)) total += s.micros;
    return total;
  }

  /** The same by UTC day: micro-dollars by the day's start (ms), for the days that have any. */
  spentByDay(covers: (namespace: string) => boolean, since: number): Map<number, number> {
    const days = new Map<number, number>();
    for (const s of this.spendsFrom(covers, since)) {
      const day = utcDayStart(s.at);
      days.set(day, (days.get(day) ?? 0) + s.micros);
    }
    return days;
  }

  private *spendsFrom(covers: (namespace: string) => boolean, since: number): Iterable<Spend> {
    for (const [namespace, objects] of this.spends.groups()) {
      if (!covers(namespace)) continue;
      for (const spends of objects.values()) for (const s of spends) if (s.at >= since) yield s;
    }
  }
}
