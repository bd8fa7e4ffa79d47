// One record of the ledger (docs/economics.md "The model gateway"): what one attempt's metered calls
// cost on one UTC day, and the limit that refused a call of it, as a ConfigMap in the operator's
// namespace holds it. One place for its name, labels, data and what it counts towards, so that the
// gateway that writes and sums records (kube-ledger.ts) and the leader that reads them from its cache
// (ledger-index.ts) cannot disagree.
import { createHash } from 'node:crypto';
import { calendarWindow, DAY_MS } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import type { GatewayAttempt, MeteredCall } from './handler.js';

export const LEDGER_LABEL = 'orchestrator.io/gateway-ledger';
/** The label value of every record (a selector for the ledger alone). */
export const LEDGER_SELECTOR = `${LEDGER_LABEL}=call`;
const NAMESPACE_LABEL = 'orchestrator.io/gateway-ledger-namespace';
const DAY_LABEL = 'orchestrator.io/gateway-ledger-day';

/** An attempt as the ledger knows it: the run object (by uid too: a run made again under its name is another), the attempt. */
export type LedgerAttempt = Pick<GatewayAttempt, 'namespace' | 'kind' | 'run' | 'uid' | 'attempt'>;

/** Tokens and cost of one model's calls. */
export interface ModelFigures {
  input: number;
  output: number;
  cacheWrite: number;
  cacheRead: number;
  costMicros: number;
}

/** What a record holds, in its data (strings, as a ConfigMap's are). */
export interface LedgerRecord {
  attempt: LedgerAttempt;
  /** The UTC day, YYYY-MM-DD. */
  day: string;
  costMicros: number;
  calls: number;
  models: Record<string, ModelFigures>;
  /** The limit that refused a call of the attempt, as the refusal named it (the first one recorded). */
  refusal?: string;
  /**
   * The last write of each replica that wrote the record, by the replica's own id: a replica that sent
   * a write and heard no answer reads the record and finds whether it landed (kube-ledger.ts).
   */
  writes?: Record<string, number>;
}

/** Replicas whose last write a record keeps: a replica only asks for its own, written just before. */
export const MAX_RECORD_WRITERS = 16;

/** The record marked as holding write `seq` of `writer`. */
export function withWrite(record: LedgerRecord, writer: string, seq: number): LedgerRecord {
  const { [writer]: _, ...others } = record.writes ?? {};
  const kept = Object.entries(others).slice(-(MAX_RECORD_WRITERS - 1));
  return { ...record, writes: { ...Object.fromEntries(kept), [writer]: seq } };
}

/** Whether the record holds write `seq` of `writer` (or a later one). */
export const holdsWrite = (record: LedgerRecord, writer: string, seq: number): boolean =>
  (record.writes?.[writer] ?? 0) >= seq;

export const attemptKey = (a: LedgerAttempt): string =>
  `${a.namespace}/${a.kind}/${a.run}/${a.uid}/${a.attempt}`;

export const dayOf = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

/**
 * The moment a record's spend counts at: the last of its day, so a window that starts at any time of
 * that day (a budget's notBefore) counts the whole day, and one that starts the next day none of it.
 */
export const countsAt = (record: Pick<LedgerRecord, 'day'>): number => Date.parse(record.day) + DAY_MS - 1;

/**
 * The first day whose records are kept: those of every budget window that holds now (the current UTC
 * month and week, schemas/controller-config.schema.yaml `budgets[].window`; a week may begin in the
 * month before), and at least the two days before now, for attempts still running or being recorded
 * in their run's status.
 */
export function keptFrom(nowMs: number): string {
  const now = new Date(nowMs);
  // A week that began in the last month (a Monday before the 1st) still counts its first days.
  const starts = (['month', 'week'] as const).map((period) => calendarWindow(period, now).start.getTime());
  return dayOf(Math.min(...starts, nowMs - 2 * DAY_MS));
}

export const ledgerRecordName = (attempt: LedgerAttempt, day: string): string =>
  `gateway-ledger-${createHash('sha256')
    .update(`${attemptKey(attempt)}@${day}`)
    .digest('hex')
    .slice(0, 32)}`;

export const emptyRecord = (attempt: LedgerAttempt, day: string): LedgerRecord => ({
  attempt: {
    namespace: attempt.namespace,
    kind: attempt.kind,
    run: attempt.run,
    uid: attempt.uid,
    attempt: attempt.attempt,
  },
  day,
  costMicros: 0,
  calls: 0,
  models: {},
});

/** The record a ConfigMap holds; undefined when it is not one. */
export function readRecord(cm: KubeObject): LedgerRecord | undefined {
  const data = (cm as { data?: Record<string, string> }).data;
  try {
    const record: LedgerRecord = {
      attempt: JSON.parse(data?.attempt ?? ''),
      day: data?.day ?? '',
      costMicros: Number(data?.costMicros ?? 0),
      calls: Number(data?.calls ?? 0),
      models: JSON.parse(data?.models ?? '{}'),
      ...(data?.refusal ? { refusal: data.refusal } : {}),
      ...(data?.writes ? { writes: JSON.parse(data.writes) } : {}),
    };
    return Number.isSafeInteger(record.costMicros) && Number.isFinite(Date.parse(record.day))
      ? record
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Models a record names at most; the calls of any further model are added up as `other`. An agent
 * chooses the model names of its calls (a stated fallback prices any), and a record that outgrew its
 * ConfigMap could not be written: its calls would go unbilled.
 */
export const MAX_RECORD_MODELS = 16;
export const OTHER_MODELS = 'other';

/** The record with one more call added. */
export function withCall(record: LedgerRecord, call: MeteredCall): LedgerRecord {
  const named = call.model in record.models || Object.keys(record.models).length < MAX_RECORD_MODELS - 1;
  const name = named ? call.model : OTHER_MODELS;
  const model = record.models[name] ?? { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, costMicros: 0 };
  const t = call.tokens;
  return {
    ...record,
    costMicros: record.costMicros + call.costMicros,
    calls: record.calls + 1,
    models: {
      ...record.models,
      [name]: {
        input: model.input + t.input,
        output: model.output + t.output,
        cacheWrite: model.cacheWrite + t.cacheWrite + t.cacheWrite1h,
        cacheRead: model.cacheRead + t.cacheRead,
        costMicros: model.costMicros + call.costMicros,
      },
    },
  };
}

/** The ConfigMap of a record (its resourceVersion, when given, makes the write conditional). */
export function recordObject(
  record: LedgerRecord,
  namespace: string,
  resourceVersion: string | undefined,
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: ledgerRecordName(record.attempt, record.day),
      namespace,
      labels: {
        [LEDGER_LABEL]: 'call',
        [NAMESPACE_LABEL]: record.attempt.namespace,
        [DAY_LABEL]: record.day,
      },
      ...(resourceVersion ? { resourceVersion } : {}),
    },
    data: {
      attempt: JSON.stringify(record.attempt),
      day: record.day,
      costMicros: String(record.costMicros),
      calls: String(record.calls),
      models: JSON.stringify(record.models),
      ...(record.refusal ? { refusal: record.refusal } : {}),
      ...(record.writes ? { writes: JSON.stringify(record.writes) } : {}),
    },
  } as KubeObject;
}

/** What the records of the namespaces `covers` accepts cost from `sinceMs` on, in micro-dollars. */
export function spentSince(
  records: Iterable<LedgerRecord>,
  covers: (namespace: string) => boolean,
  sinceMs: number,
): number {
  let total = 0;
  for (const r of records) if (countsAt(r) >= sinceMs && covers(r.attempt.namespace)) total += r.costMicros;
  return total;
}
