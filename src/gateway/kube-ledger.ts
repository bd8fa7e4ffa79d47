// The ledger the replicas share (docs/economics.md "The model gateway"): one ConfigMap per attempt and
// UTC day in the operator's namespace (ledger-record.ts), which no run submitter can write, holding what
// the attempt's metered calls cost that day and the limit that refused one. Each write is conditional
// on the record's resourceVersion, so two replicas adding at once both count (the loser of the race
// reads again and adds). A replica writes a record at most once per interval (coalescer.ts): the calls
// that end meanwhile are added in one write, so the apiserver's writes follow the attempts, not their
// calls. Sums come from the replica's watch-fed cache of the records (ledger-cache.ts), which holds
// its own writes as they land and its calls waiting for one: a call is checked against this replica's
// spend at once and against other replicas' as the watch has delivered it. Deleting a run deletes none
// of its spend. Records older than every budget window are deleted, at most once per prune interval,
// as sums pass them.
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiError,
  type ApiRequester,
  CONFIGMAPS,
  type EventSource,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';
import { Coalescer } from './coalescer.js';
import type { GatewayAttempt, MeteredCall } from './handler.js';
import { type HeldRecord, LedgerCache, type Unwritten } from './ledger-cache.js';
import {
  attemptKey,
  dayOf,
  emptyRecord,
  holdsWrite,
  keptFrom,
  type LedgerRecord,
  ledgerRecordName,
  readRecord,
  recordObject,
  withCall,
  withWrite,
} from './ledger-record.js';
import type { Ledger } from './spend-gate.js';

export interface KubeLedgerOptions {
  client: ApiRequester;
  /** The operator's namespace. */
  namespace: string;
  /** The ledger ConfigMaps of that namespace, kept by a watch (the caller starts it and waits for its first list). */
  records: EventSource;
  /** A record is written at most once per this many milliseconds by this replica. */
  writeEveryMs: number;
  /** How often at most this replica deletes the records no budget window reaches any more. Default 1 h. */
  pruneEveryMs?: number;
  /** Told why a prune stopped (it is tried again at the next prune time; no call waits for it). */
  onPruneError?: (err: Error) => void;
  /** Told why a write is tried again (the apiserver away, busy or slow to answer). */
  onWriteRetry?: (err: Error, record: string) => void;
  /** The first wait before a write is tried again, doubled each time up to 10 s. Default 250 ms. */
  retryFirstMs?: number;
  now?: () => number;
}

const RETRY_MAX_MS = 10_000;

/**
 * Whether a write that failed so may land if sent again: no answer (the connection, a timeout), the
 * apiserver's own failure or throttling, or the record deleted meanwhile (it is made again). A refusal
 * of the write itself (forbidden, invalid, too large) would be refused again.
 */
const mayLandLater = (err: unknown): boolean =>
  !(err instanceof ApiError) || err.status >= 500 || [404, 408, 429].includes(err.status);

/** A change of a record: undefined leaves it as it is. `spend`: the call it adds, counted until written. */
type Change = {
  attempt: GatewayAttempt;
  day: string;
  apply: (r: LedgerRecord) => LedgerRecord | undefined;
  spend?: Unwritten;
};

export class KubeLedger implements Ledger {
  private readonly cache: LedgerCache;
  private readonly writes: Coalescer<Change>;
  private prunedAtMs = Number.NEGATIVE_INFINITY;
  private readonly now: () => number;
  /** This replica's name in the records' `writes`, and its last write's number. */
  private readonly writer = randomBytes(6).toString('hex');
  private seq = 0;
  private readonly stopping = new AbortController();

  constructor(private readonly opts: KubeLedgerOptions) {
    this.now = opts.now ?? Date.now;
    this.cache = new LedgerCache(opts.records);
    this.writes = new Coalescer((name, changes) => this.write(name, changes), opts.writeEveryMs, this.now);
  }

  /** Counted in this replica's sums at once; resolves when written. */
  record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    const spend = { attempt, day: dayOf(this.now()), costMicros: call.costMicros };
    this.cache.pend(spend);
    return this.change(attempt, (r) => withCall(r, call), spend);
  }

  /** Records the limit that refused a call of the attempt, unless one is recorded today already. */
  refuse(attempt: GatewayAttempt, refusal: string): Promise<void> {
    return this.change(attempt, (r) => (r.refusal ? undefined : { ...r, refusal }));
  }

  async attemptSpent(attempt: GatewayAttempt): Promise<number> {
    this.pruneNow();
    return this.cache.attemptSpent(attempt);
  }

  async spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number> {
    this.pruneNow();
    return this.cache.spentSince(covers, sinceMs);
  }

  private change(attempt: GatewayAttempt, apply: Change['apply'], spend?: Unwritten): Promise<void> {
    const day = spend?.day ?? dayOf(this.now());
    return this.writes.add(ledgerRecordName(attempt, day), { attempt, day, apply, spend });
  }

  /**
   * Stops trying again: a write waiting to be sent again fails at once (its calls are logged as not
   * recorded). A replica stopping calls it once its calls had their time to be written.
   */
  stop(): void {
    this.stopping.abort();
  }

  /**
   * The changes of one record in one write, under optimistic concurrency against other replicas:
   * first on the version held, then, after a conflict, on the one read. A write that may land if sent
   * again is, after a pause that grows, on the record read then, until it lands or the ledger stops:
   * its calls keep counting meanwhile. The write's number in the record (`writes`) tells whether a
   * write whose answer was lost had landed, so none is added twice. Its calls stop being counted apart
   * in the same step as the record holding them is (or, the write failing for good, at once).
   */
  private async write(name: string, changes: Change[]): Promise<void> {
    const spends = changes.flatMap((c) => (c.spend ? [c.spend] : []));
    const seq = ++this.seq;
    try {
      for (let tries = 0; ; tries++) {
        try {
          const written = await this.writeOnce(name, changes, seq, tries > 0);
          if (written) this.cache.hold(written);
          return;
        } catch (err) {
          if (!mayLandLater(err) || this.stopping.signal.aborted) throw err;
          this.opts.onWriteRetry?.(err as Error, name);
          const pause = Math.min(RETRY_MAX_MS, (this.opts.retryFirstMs ?? 250) * 2 ** Math.min(tries, 10));
          await sleep(pause, undefined, { signal: this.stopping.signal }).catch(() => {
            throw err;
          });
        }
      }
    } finally {
      this.cache.written(spends);
    }
  }

  /** The record as written (undefined: the changes changed nothing). `fresh`: read it first, not from the watch. */
  private async writeOnce(
    name: string,
    changes: Change[],
    seq: number,
    fresh: boolean,
  ): Promise<HeldRecord | undefined> {
    const first = changes[0];
    if (!first) return undefined;
    let current: HeldRecord | undefined = fresh ? await this.read(name) : this.cache.get(name);
    for (let tries = 0; tries < 16; tries++) {
      const base = current?.record ?? emptyRecord(first.attempt, first.day);
      // An earlier try landed, its answer lost: the record holds these changes already.
      if (holdsWrite(base, this.writer, seq)) return current;
      const changed = changes.reduce((r, c) => c.apply(r) ?? r, base);
      if (changed === base) return undefined;
      const written = await this.put(name, withWrite(changed, this.writer, seq), current);
      if (written) return written;
      // Another replica wrote first (a PUT on an older version, a POST of a record that now exists).
      current = await this.read(name);
    }
    throw new Error(
      `the ledger record ${this.opts.namespace}/${name} kept changing: a change of ${attemptKey(first.attempt)} was not recorded`,
    );
  }

  /** Writes `record` over `current` (none: creates it); undefined on a conflict. */
  private async put(
    name: string,
    record: LedgerRecord,
    current: HeldRecord | undefined,
  ): Promise<HeldRecord | undefined> {
    const { client, namespace } = this.opts;
    const body = recordObject(record, namespace, current?.resourceVersion);
    try {
      const written = current
        ? await client.request<KubeObject>('PUT', resourcePath(CONFIGMAPS, namespace, name), { body })
        : await client.request<KubeObject>('POST', resourcePath(CONFIGMAPS, namespace), { body });
      return { name, resourceVersion: written?.metadata?.resourceVersion, record };
    } catch (err) {
      if (isConflict(err)) return undefined;
      throw err;
    }
  }

  private async read(name: string): Promise<HeldRecord | undefined> {
    try {
      const cm = await this.opts.client.request<KubeObject>(
        'GET',
        resourcePath(CONFIGMAPS, this.opts.namespace, name),
      );
      const record = readRecord(cm);
      return record && { name, resourceVersion: cm.metadata?.resourceVersion, record };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /** Starts a prune when the interval has passed; off the call's path (a call never waits for, or fails by, one). */
  private pruneNow(): void {
    const now = this.now();
    if (now - this.prunedAtMs < (this.opts.pruneEveryMs ?? 3_600_000)) return;
    this.prunedAtMs = now;
    this.prune(this.cache.all(), keptFrom(now)).catch((err: Error) => this.opts.onPruneError?.(err));
  }

  /**
   * Deletes the records of days before `from`. A record of a past day is never written again (calls
   * are added to today's), and the delete is conditional on the version held all the same; another
   * replica pruning at once finds it gone.
   */
  private async prune(records: HeldRecord[], from: string): Promise<void> {
    for (const { name, resourceVersion, record } of records) {
      if (record.day >= from) continue;
      try {
        await this.opts.client.request('DELETE', resourcePath(CONFIGMAPS, this.opts.namespace, name), {
          body: { preconditions: { resourceVersion } },
          discardAnswer: true,
        });
        this.cache.forget(name);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }
}
