// The ledger the replicas share (docs/economics.md "The model gateway"): one ConfigMap per attempt and
// UTC day in the operator's namespace (ledger-record.ts), which no run submitter can write, holding what
// the attempt's metered calls cost that day and the limit that refused one. Each change is written with
// the record's resourceVersion, so two replicas adding at once both count (the loser of the race reads
// again and adds); within a replica the changes of one record are made one after another, so only
// replicas race. Deleting a run deletes none of its spend. Sums come from a list of the records
// kept for a moment (and dropped after this replica adds), so a call is checked against spend at most
// that old on other replicas. Records older than every budget window are deleted as lists pass them.
import {
  type ApiRequester,
  CONFIGMAPS,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';
import type { GatewayAttempt, MeteredCall } from './handler.js';
import {
  attemptKey,
  dayOf,
  emptyRecord,
  keptFrom,
  LEDGER_SELECTOR,
  type LedgerRecord,
  ledgerRecordName,
  readRecord,
  recordObject,
  spentSince,
  withCall,
} from './ledger-record.js';
import type { Ledger } from './spend-gate.js';

export interface KubeLedgerOptions {
  client: ApiRequester;
  /** The operator's namespace. */
  namespace: string;
  /** How long a list of the records answers sums. */
  listTtlMs: number;
  /** How often at most this replica deletes the records no budget window reaches any more. Default 1 h. */
  pruneEveryMs?: number;
  /** Told why a prune stopped (it is tried again at the next prune time; no call waits for it). */
  onPruneError?: (err: Error) => void;
  now?: () => number;
}

interface Listed {
  name: string;
  resourceVersion: string | undefined;
  record: LedgerRecord;
}

/** How many lists a sum takes at most while this replica's writes overtake them. */
const LIST_TRIES = 4;

export class KubeLedger implements Ledger {
  private listed: { records: Listed[]; atMs: number } | undefined;
  /**
   * This replica's writes so far. A list that one of them overtook (the write landed while the list
   * was under way) may not hold it, and the call that wrote has let go of its reservation: such a list
   * is neither kept nor answered (records).
   */
  private writes = 0;
  private prunedAtMs = Number.NEGATIVE_INFINITY;
  /** The last change queued on each record this replica is changing. */
  private readonly queued = new Map<string, Promise<void>>();
  private readonly now: () => number;

  constructor(private readonly opts: KubeLedgerOptions) {
    this.now = opts.now ?? Date.now;
  }

  record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    return this.change(attempt, (r) => withCall(r, call));
  }

  /** Records the limit that refused a call of the attempt, unless one is recorded today already. */
  refuse(attempt: GatewayAttempt, refusal: string): Promise<void> {
    return this.change(attempt, (r) => (r.refusal ? undefined : { ...r, refusal }));
  }

  async attemptSpent(attempt: GatewayAttempt): Promise<number> {
    const key = attemptKey(attempt);
    return spentSince(
      (await this.records()).filter((r) => attemptKey(r.attempt) === key),
      () => true,
      Number.NEGATIVE_INFINITY,
    );
  }

  async spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number> {
    return spentSince(await this.records(), covers, sinceMs);
  }

  /** Today's record of the attempt changed by `change` (undefined: left as it is), after this replica's earlier changes of it. */
  private change(
    attempt: GatewayAttempt,
    change: (r: LedgerRecord) => LedgerRecord | undefined,
  ): Promise<void> {
    const day = dayOf(this.now());
    const name = ledgerRecordName(attempt, day);
    const before = this.queued.get(name) ?? Promise.resolve();
    const done = before.then(() => this.write(attempt, day, name, change));
    const settled = done.catch(() => {});
    this.queued.set(name, settled);
    void settled.then(() => {
      if (this.queued.get(name) === settled) this.queued.delete(name);
    });
    return done;
  }

  /** One change of a record, under optimistic concurrency against other replicas. */
  private async write(
    attempt: GatewayAttempt,
    day: string,
    name: string,
    change: (r: LedgerRecord) => LedgerRecord | undefined,
  ): Promise<void> {
    const { client, namespace } = this.opts;
    const item = resourcePath(CONFIGMAPS, namespace, name);
    for (let tries = 0; tries < 16; tries++) {
      let current: KubeObject | undefined;
      try {
        current = await client.request('GET', item);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const changed = change((current && readRecord(current)) ?? emptyRecord(attempt, day));
      if (!changed) return;
      const body = recordObject(changed, namespace, current?.metadata?.resourceVersion);
      try {
        if (current) await client.request('PUT', item, { body, discardAnswer: true });
        else await client.request('POST', resourcePath(CONFIGMAPS, namespace), { body, discardAnswer: true });
        this.writes += 1;
        this.listed = undefined;
        return;
      } catch (err) {
        // Another replica wrote first (a PUT on an older resourceVersion, a POST of a record that now
        // exists): read its record and change that.
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(
      `the ledger record ${namespace}/${name} kept changing: a change of ${attemptKey(attempt)} was not recorded`,
    );
  }

  private async records(): Promise<LedgerRecord[]> {
    const now = this.now();
    if (this.listed && now - this.listed.atMs < this.opts.listTtlMs)
      return this.listed.records.map((l) => l.record);
    let records: Listed[] = [];
    // Listed again while this replica's own writes overtake the list, a few times at most: a
    // replica writing without pause still answers (its reservations end only after their writes).
    for (let tries = 0; tries < LIST_TRIES; tries++) {
      const writes = this.writes;
      records = await this.list();
      if (writes !== this.writes) continue;
      this.listed = { records, atMs: now };
      if (now - this.prunedAtMs >= (this.opts.pruneEveryMs ?? 3_600_000)) {
        this.prunedAtMs = now;
        // Off the call's path: a call never waits for, or fails by, a prune.
        this.prune(records, keptFrom(now)).catch((err: Error) => this.opts.onPruneError?.(err));
      }
      break;
    }
    return records.map((l) => l.record);
  }

  private async list(): Promise<Listed[]> {
    const list = await this.opts.client.request<{ items?: KubeObject[] }>(
      'GET',
      resourcePath(CONFIGMAPS, this.opts.namespace),
      { query: { labelSelector: LEDGER_SELECTOR } },
    );
    return (list.items ?? []).flatMap((cm): Listed[] => {
      const record = readRecord(cm);
      return record
        ? [{ name: cm.metadata?.name ?? '', resourceVersion: cm.metadata?.resourceVersion, record }]
        : [];
    });
  }

  /**
   * Deletes the records of days before `from`. A record of a past day is never written again (calls
   * are added to today's), and the delete is conditional on the version listed all the same; another
   * replica pruning at once finds it gone.
   */
  private async prune(records: Listed[], from: string): Promise<void> {
    for (const { name, resourceVersion, record } of records) {
      if (record.day >= from) continue;
      try {
        await this.opts.client.request('DELETE', resourcePath(CONFIGMAPS, this.opts.namespace, name), {
          body: { preconditions: { resourceVersion } },
          discardAnswer: true,
        });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
}
