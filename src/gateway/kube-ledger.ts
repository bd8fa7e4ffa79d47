// The ledger the replicas share (docs/economics.md "The model gateway"): one ConfigMap per attempt and
// UTC day in the operator's namespace, which no run submitter can write, holding what the attempt's
// metered calls cost that day. Each call is added with the record's resourceVersion, so two replicas
// adding at once both count (the loser of the race reads again and adds), and deleting a run deletes
// none of its spend. Sums come from a list of the records kept for a moment (and dropped after this
// replica adds), so a call is checked against spend at most that old on other replicas.
import { createHash } from 'node:crypto';
import {
  type ApiRequester,
  CONFIGMAPS,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';
import type { GatewayAttempt, MeteredCall } from './handler.js';
import { attemptKey } from './memory-ledger.js';
import type { Ledger } from './spend-gate.js';

export const LEDGER_LABEL = 'orchestrator.io/gateway-ledger';
const NAMESPACE_LABEL = 'orchestrator.io/gateway-ledger-namespace';
const DAY_LABEL = 'orchestrator.io/gateway-ledger-day';

/** What a record holds, in its data (strings, as a ConfigMap's are). */
interface LedgerRecord {
  attempt: GatewayAttempt;
  day: string;
  costMicros: number;
  calls: number;
  /** Tokens and cost by model. */
  models: Record<
    string,
    { input: number; output: number; cacheWrite: number; cacheRead: number; costMicros: number }
  >;
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const ledgerRecordName = (attempt: GatewayAttempt, day: string): string =>
  `gateway-ledger-${createHash('sha256')
    .update(`${attemptKey(attempt)}@${day}`)
    .digest('hex')
    .slice(0, 32)}`;

function readRecord(cm: KubeObject): LedgerRecord | undefined {
  const data = (cm as { data?: Record<string, string> }).data;
  try {
    return {
      attempt: JSON.parse(data?.attempt ?? ''),
      day: data?.day ?? '',
      costMicros: Number(data?.costMicros ?? 0),
      calls: Number(data?.calls ?? 0),
      models: JSON.parse(data?.models ?? '{}'),
    };
  } catch {
    return undefined;
  }
}

function added(record: LedgerRecord, call: MeteredCall): LedgerRecord {
  const model = record.models[call.model] ?? {
    input: 0,
    output: 0,
    cacheWrite: 0,
    cacheRead: 0,
    costMicros: 0,
  };
  const t = call.tokens;
  return {
    ...record,
    costMicros: record.costMicros + call.costMicros,
    calls: record.calls + 1,
    models: {
      ...record.models,
      [call.model]: {
        input: model.input + t.input,
        output: model.output + t.output,
        cacheWrite: model.cacheWrite + t.cacheWrite + t.cacheWrite1h,
        cacheRead: model.cacheRead + t.cacheRead,
        costMicros: model.costMicros + call.costMicros,
      },
    },
  };
}

const dataOf = (r: LedgerRecord) => ({
  attempt: JSON.stringify(r.attempt),
  day: r.day,
  costMicros: String(r.costMicros),
  calls: String(r.calls),
  models: JSON.stringify(r.models),
});

export interface KubeLedgerOptions {
  client: ApiRequester;
  /** The operator's namespace. */
  namespace: string;
  /** How long a list of the records answers sums. */
  listTtlMs: number;
  now?: () => number;
}

export class KubeLedger implements Ledger {
  private listed: { records: LedgerRecord[]; atMs: number } | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: KubeLedgerOptions) {
    this.now = opts.now ?? Date.now;
  }

  async record(attempt: GatewayAttempt, call: MeteredCall): Promise<void> {
    const { client, namespace } = this.opts;
    const day = dayOf(this.now());
    const name = ledgerRecordName(attempt, day);
    const item = resourcePath(CONFIGMAPS, namespace, name);
    for (let tries = 0; tries < 16; tries++) {
      let current: KubeObject | undefined;
      try {
        current = await client.request('GET', item);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      const before = (current && readRecord(current)) ?? {
        attempt,
        day,
        costMicros: 0,
        calls: 0,
        models: {},
      };
      const body = {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name,
          namespace,
          labels: { [LEDGER_LABEL]: 'call', [NAMESPACE_LABEL]: attempt.namespace, [DAY_LABEL]: day },
          ...(current?.metadata?.resourceVersion
            ? { resourceVersion: current.metadata.resourceVersion }
            : {}),
        },
        data: dataOf(added(before, call)),
      };
      try {
        if (current) await client.request('PUT', item, { body, discardAnswer: true });
        else await client.request('POST', resourcePath(CONFIGMAPS, namespace), { body, discardAnswer: true });
        this.listed = undefined;
        return;
      } catch (err) {
        // Another replica added first: read its sum and add to it.
        if (!isConflict(err)) throw err;
      }
    }
    throw new Error(
      `the ledger record ${namespace}/${name} kept changing: a call of ${attemptKey(attempt)} was not recorded`,
    );
  }

  async attemptSpent(attempt: GatewayAttempt): Promise<number> {
    const key = attemptKey(attempt);
    return sum((await this.records()).filter((r) => attemptKey(r.attempt) === key));
  }

  async spentSince(covers: (namespace: string) => boolean, sinceMs: number): Promise<number> {
    // Records are by day: a window starting mid-day (a budget's notBefore) counts that whole day.
    const since = dayOf(sinceMs);
    return sum((await this.records()).filter((r) => r.day >= since && covers(r.attempt.namespace)));
  }

  private async records(): Promise<LedgerRecord[]> {
    const now = this.now();
    if (this.listed && now - this.listed.atMs < this.opts.listTtlMs) return this.listed.records;
    const list = await this.opts.client.request<{ items?: KubeObject[] }>(
      'GET',
      resourcePath(CONFIGMAPS, this.opts.namespace),
      { query: { labelSelector: `${LEDGER_LABEL}=call` } },
    );
    const records = (list.items ?? []).flatMap((cm) => readRecord(cm) ?? []);
    this.listed = { records, atMs: now };
    return records;
  }
}

const sum = (records: LedgerRecord[]) => records.reduce((total, r) => total + r.costMicros, 0);
