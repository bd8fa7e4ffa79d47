// The ledger as the leader reads it (docs/economics.md "The model gateway"): the records of a cache of
// the operator's namespace's ledger ConfigMaps, by attempt, kept up to date by the cache's events. What
// an attempt's calls cost, in the status's usage shape, and the limit that refused one: the run's status
// and its BudgetExceeded ending come from here, never from what the agent reports.
import { formatUsd, MAX_USAGE_MODELS, type ModelUsage, type Usage } from '../api/index.js';
import { type EventSource, type KubeObject, objectKey } from '../runtime/index.js';
import { GroupedMap } from '../util/index.js';
import {
  attemptKey,
  type LedgerAttempt,
  type LedgerRecord,
  type ModelFigures,
  readRecord,
} from './ledger-record.js';

/** What the gateway metered of one attempt. */
export interface MeteredAttempt {
  usage: Usage;
  /** The limit that refused a call of it, as the refusal named it. */
  refusal?: string;
}

/** What the reconcilers ask of the ledger. */
export interface MeteredAttempts {
  /** The attempt's metered calls; undefined when the gateway recorded none. */
  metered(attempt: LedgerAttempt): MeteredAttempt | undefined;
}

const add = (a: ModelFigures | undefined, b: ModelFigures): ModelFigures => ({
  input: (a?.input ?? 0) + b.input,
  output: (a?.output ?? 0) + b.output,
  cacheWrite: (a?.cacheWrite ?? 0) + b.cacheWrite,
  cacheRead: (a?.cacheRead ?? 0) + b.cacheRead,
  costMicros: (a?.costMicros ?? 0) + b.costMicros,
});

const figures = (f: ModelFigures) => ({
  costUsd: formatUsd(f.costMicros),
  inputTokens: f.input,
  outputTokens: f.output,
  cacheCreationInputTokens: f.cacheWrite,
  cacheReadInputTokens: f.cacheRead,
});

/** An attempt's records (one per day it called on) as one usage. */
export function meteredUsage(records: readonly LedgerRecord[]): MeteredAttempt {
  const byModel = new Map<string, ModelFigures>();
  let total: ModelFigures = { input: 0, output: 0, cacheWrite: 0, cacheRead: 0, costMicros: 0 };
  let refusal: string | undefined;
  for (const r of [...records].sort((a, b) => a.day.localeCompare(b.day))) {
    refusal ??= r.refusal;
    for (const [model, f] of Object.entries(r.models)) {
      byModel.set(model, add(byModel.get(model), f));
      total = add(total, f);
    }
  }
  // The costliest first: past the schema's bound, the cheapest are the ones left out of the list.
  const models: ModelUsage[] = [...byModel]
    .sort(([, x], [, y]) => y.costMicros - x.costMicros)
    .slice(0, MAX_USAGE_MODELS)
    .map(([model, f]) => ({ model, ...figures(f) }));
  return {
    usage: { ...figures(total), ...(models.length > 0 ? { models } : {}) },
    ...(refusal ? { refusal } : {}),
  };
}

export class LedgerIndex implements MeteredAttempts {
  /** Records by attempt key, then by ConfigMap key. */
  private readonly records = new GroupedMap<LedgerRecord>();

  constructor(records: EventSource) {
    records.addHandler({
      onAdd: (cm) => this.set(cm),
      onUpdate: (_, cm) => this.set(cm),
      onDelete: (cm) => this.records.delete(objectKey(cm)),
    });
    for (const cm of records.list()) this.set(cm);
  }

  metered(attempt: LedgerAttempt): MeteredAttempt | undefined {
    const records = this.records.group(attemptKey(attempt));
    return records && records.size > 0 ? meteredUsage([...records.values()]) : undefined;
  }

  private set(cm: KubeObject): void {
    const key = objectKey(cm);
    const record = readRecord(cm);
    if (record) this.records.set(key, attemptKey(record.attempt), record);
    else this.records.delete(key);
  }
}
