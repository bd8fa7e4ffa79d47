// What an agent's model calls cost (docs/economics.md), as the status holds it: US dollars as decimal
// strings (the API conventions avoid floats, and a sum of floats drifts), summed in whole micro-dollars.
// One place for the arithmetic the result reader, the status, the metrics and the budgets share.
import type { Usage } from './generated/shared.js';
import type { RunStatus } from './types.js';

/** A run's total usage (status.usage; schemas/shared/usage.yaml). */
export type { Usage };
/** One finished attempt's usage (an entry of status.attemptUsage). */
export type AttemptUsage = NonNullable<RunStatus['attemptUsage']>[number];
export type ModelUsage = NonNullable<Usage['models']>[number];
/** Why a limit stopped an attempt's agent. */
export type StopReason = NonNullable<AttemptUsage['stopReason']>;

/** The token counts of a usage, by field; each model entry has them too. */
export const TOKEN_FIELDS = [
  'inputTokens',
  'outputTokens',
  'cacheCreationInputTokens',
  'cacheReadInputTokens',
] as const;
export type TokenField = (typeof TOKEN_FIELDS)[number];

/** The counts a usage sums besides its tokens. */
const COUNT_FIELDS = [...TOKEN_FIELDS, 'turns', 'durationMs'] as const;

/** At most this many attempts are kept in status.attemptUsage (the schema's maxItems). */
export const MAX_ATTEMPT_USAGE = 32;
/** At most this many models per usage (the schema's maxItems). */
export const MAX_USAGE_MODELS = 8;

/** A decimal dollar amount as the schemas write it: at most 12 integer and 6 fraction digits. */
export const USD_PATTERN = /^(0|[1-9][0-9]{0,11})(\.[0-9]{1,6})?$/;

/** `text` (a USD_PATTERN string) in whole micro-dollars; undefined when it is not one. */
export function parseUsd(text: unknown): number | undefined {
  if (typeof text !== 'string' || !USD_PATTERN.test(text)) return undefined;
  const [whole, fraction = ''] = text.split('.');
  return Number(whole) * 1_000_000 + Number(fraction.padEnd(6, '0'));
}

/** Micro-dollars as the schemas write them: no trailing zeros in the fraction ("0.5", "12"). */
export function formatUsd(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const fraction = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return fraction ? `${whole}.${fraction}` : String(whole);
}

/** A dollar amount for people: cents, or the smallest digits that show it is not zero. */
export function showUsd(text: string | undefined): string {
  const micros = parseUsd(text) ?? 0;
  if (micros === 0 || micros >= 10_000) return `$${(micros / 1_000_000).toFixed(2)}`;
  return `$${formatUsd(micros)}`;
}

const add = (a: number | undefined, b: number | undefined): number => (a ?? 0) + (b ?? 0);

/** The sum of two usages (the models matched by id). */
export function addUsage(a: Usage | undefined, b: Usage): Usage {
  const sum: Usage = { costUsd: formatUsd(add(parseUsd(a?.costUsd), parseUsd(b.costUsd))) };
  for (const field of COUNT_FIELDS) sum[field] = add(a?.[field], b[field]);
  const models = new Map<string, ModelUsage>();
  for (const m of [...(a?.models ?? []), ...(b.models ?? [])]) {
    const had = models.get(m.model);
    const next: ModelUsage = {
      model: m.model,
      costUsd: formatUsd(add(parseUsd(had?.costUsd), parseUsd(m.costUsd))),
    };
    for (const field of TOKEN_FIELDS) next[field] = add(had?.[field], m[field]);
    models.set(m.model, next);
  }
  // The costliest first: past the schema's bound, the cheapest are the ones left out.
  const ranked = [...models.values()].sort((x, y) => (parseUsd(y.costUsd) ?? 0) - (parseUsd(x.costUsd) ?? 0));
  if (ranked.length > 0) sum.models = ranked.slice(0, MAX_USAGE_MODELS);
  return sum;
}

/** An attempt's usage without its attempt's own fields (and without what its agent reported beside it). */
export function usageOf(entry: AttemptUsage): Usage {
  const { attempt: _a, finishedAt: _f, stopReason: _s, reported: _r, ...usage } = entry;
  return usage;
}

/**
 * The status's usage with these attempts' entries recorded: an attempt already recorded is not
 * counted again (so recording is idempotent), the total grows by the new ones only, and the newest
 * MAX_ATTEMPT_USAGE entries are kept.
 */
export function recordUsage(
  status: Pick<RunStatus, 'usage' | 'attemptUsage'> | undefined,
  entries: readonly AttemptUsage[],
): Pick<RunStatus, 'usage' | 'attemptUsage'> {
  let usage = status?.usage;
  const kept = [...(status?.attemptUsage ?? [])];
  // An attempt older than every kept entry of a full list was recorded once and dropped since.
  const dropped = kept.length >= MAX_ATTEMPT_USAGE ? Math.min(...kept.map((k) => k.attempt)) : 0;
  for (const entry of entries) {
    if (entry.attempt < dropped || kept.some((k) => k.attempt === entry.attempt)) continue;
    kept.push(entry);
    usage = addUsage(usage, usageOf(entry));
  }
  kept.sort((x, y) => x.attempt - y.attempt);
  const attemptUsage = kept.slice(-MAX_ATTEMPT_USAGE);
  return {
    ...(usage ? { usage } : {}),
    ...(attemptUsage.length > 0 ? { attemptUsage } : {}),
  };
}

/** The entries recorded in `after` that `before` did not have (what a status write adds). */
export function newAttemptUsage(
  before: Pick<RunStatus, 'attemptUsage'> | undefined,
  after: Pick<RunStatus, 'attemptUsage'>,
): AttemptUsage[] {
  const had = new Set((before?.attemptUsage ?? []).map((e) => e.attempt));
  return (after.attemptUsage ?? []).filter((e) => !had.has(e.attempt));
}
