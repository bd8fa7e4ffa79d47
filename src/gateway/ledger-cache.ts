// The ledger's records as one replica sees them (docs/economics.md "The model gateway"): fed by a
// watch of the operator namespace's ledger ConfigMaps, by this replica's own writes the moment they
// land, and by its calls metered and still waiting for their write (decision 0072), so that a call's
// cost counts against its limits here the moment it is metered, whatever the write's interval and the
// watch. A record's calls only grow: an event holding fewer calls than the record held is an older
// state (the watch catching up with a write already applied) and is not taken; a deleted record is
// dropped. Sums cost no apiserver call.
import type { EventSource, KubeObject } from '../runtime/index.js';
import { GroupedMap } from '../util/index.js';
import {
  attemptKey,
  countsAt,
  type LedgerAttempt,
  type LedgerRecord,
  readRecord,
  spentSince,
} from './ledger-record.js';

/** A record as last seen, with the version a conditional write of it names. */
export interface HeldRecord {
  name: string;
  resourceVersion: string | undefined;
  record: LedgerRecord;
}

/** A call's cost metered by this replica, counted until the write holding it lands or fails. */
export interface Unwritten {
  attempt: LedgerAttempt;
  day: string;
  costMicros: number;
}

export class LedgerCache {
  /** Records by attempt key, then by ConfigMap name. */
  private readonly held = new GroupedMap<HeldRecord>();
  private readonly byName = new Map<string, HeldRecord>();
  private readonly unwritten = new Set<Unwritten>();

  constructor(records: EventSource) {
    records.addHandler({
      onAdd: (cm) => this.seen(cm),
      onUpdate: (_, cm) => this.seen(cm),
      onDelete: (cm) => this.forget(cm.metadata?.name ?? ''),
    });
    for (const cm of records.list()) this.seen(cm);
  }

  get(name: string): HeldRecord | undefined {
    return this.byName.get(name);
  }

  /** Holds `next` unless the record held has more calls (an older state arriving late). */
  hold(next: HeldRecord): void {
    const known = this.byName.get(next.name);
    if (known && known.record.calls > next.record.calls) return;
    this.byName.set(next.name, next);
    this.held.set(next.name, attemptKey(next.record.attempt), next);
  }

  /** Counts `call` in the sums until `written` is told it landed (then the record held has it) or failed. */
  pend(call: Unwritten): void {
    this.unwritten.add(call);
  }

  written(calls: Iterable<Unwritten>): void {
    for (const call of calls) this.unwritten.delete(call);
  }

  attemptSpent(attempt: LedgerAttempt): number {
    const key = attemptKey(attempt);
    const records = this.held.group(key);
    const held = records
      ? spentSince(
          [...records.values()].map((h) => h.record),
          () => true,
          -Infinity,
        )
      : 0;
    return held + this.unwrittenSpent((u) => attemptKey(u.attempt) === key);
  }

  spentSince(covers: (namespace: string) => boolean, sinceMs: number): number {
    const held = spentSince(
      [...this.byName.values()].map((h) => h.record),
      covers,
      sinceMs,
    );
    return held + this.unwrittenSpent((u) => countsAt(u) >= sinceMs && covers(u.attempt.namespace));
  }

  private unwrittenSpent(counts: (u: Unwritten) => boolean): number {
    let total = 0;
    for (const u of this.unwritten) if (counts(u)) total += u.costMicros;
    return total;
  }

  /** Every record held (the prune's list). */
  all(): HeldRecord[] {
    return [...this.byName.values()];
  }

  private seen(cm: KubeObject): void {
    const name = cm.metadata?.name ?? '';
    const record = readRecord(cm);
    if (record) this.hold({ name, resourceVersion: cm.metadata?.resourceVersion, record });
    else this.forget(name);
  }

  /** Drops a record (deleted). */
  forget(name: string): void {
    this.byName.delete(name);
    this.held.delete(name);
  }
}
