// The ledger's records as one replica sees them (docs/economics.md "The model gateway"): fed by a
// watch of the operator namespace's ledger ConfigMaps, and by this replica's own writes the moment
// they land, so that a call's reservation can end as soon as its record is written (its spend is
// then counted here, whatever the watch has delivered). A record's calls only grow: an event holding
// fewer calls than the record held is an older state (the watch catching up with a write already
// applied) and is not taken; a deleted record is dropped. Sums cost no apiserver call.
import type { EventSource, KubeObject } from '../runtime/index.js';
import { GroupedMap } from '../util/index.js';
import {
  attemptKey,
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

export class LedgerCache {
  /** Records by attempt key, then by ConfigMap name. */
  private readonly held = new GroupedMap<HeldRecord>();
  private readonly byName = new Map<string, HeldRecord>();

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

  attemptSpent(attempt: LedgerAttempt): number {
    const records = this.held.group(attemptKey(attempt));
    return records
      ? spentSince(
          [...records.values()].map((h) => h.record),
          () => true,
          -Infinity,
        )
      : 0;
  }

  spentSince(covers: (namespace: string) => boolean, sinceMs: number): number {
    return spentSince(
      [...this.byName.values()].map((h) => h.record),
      covers,
      sinceMs,
    );
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
