// What a model call costs (docs/economics.md "The model gateway"): the controller config's price table,
// per model and token kind in US dollars per million tokens, and the model a call is priced as. A model
// is priced by the longest entry its name starts with (so "claude-sonnet-4-5" prices the dated
// "claude-sonnet-4-5-20250929"), else as the table's stated fallback, else the call is refused: an
// unpriced call would be spend no budget sees.
import { parseUsd } from '../api/index.js';
import type { CallTokens } from './tokens.js';

/** One model's prices, decimal US dollars per million tokens (the config's gateway.prices.models.*). */
export interface ModelPrice {
  inputUsd: string;
  outputUsd: string;
  cacheWriteUsd: string;
  cacheWrite1hUsd: string;
  cacheReadUsd: string;
}

export interface PriceTable {
  models: Record<string, ModelPrice>;
  /** The entry an unlisted model is priced as; none: such calls are refused. */
  fallbackModel?: string | undefined;
}

/** The entry that prices `model`, or undefined when the call must be refused. */
export function priceEntry(table: PriceTable, model: string): string | undefined {
  let best: string | undefined;
  for (const name of Object.keys(table.models))
    if ((model === name || model.startsWith(`${name}-`)) && name.length > (best?.length ?? -1)) best = name;
  if (best !== undefined) return best;
  return table.fallbackModel !== undefined && table.models[table.fallbackModel]
    ? table.fallbackModel
    : undefined;
}

/** Micro-dollars per token equal dollars per million tokens: the rates as whole micro-units of that. */
const rate = (usd: string): number => parseUsd(usd) ?? 0;

/**
 * What `tokens` cost at `price`, in whole micro-dollars rounded up (a call is never billed less than it
 * cost; the rounding is at most one micro-dollar a call).
 */
export function callCostMicros(price: ModelPrice, tokens: CallTokens): number {
  const scaled =
    tokens.input * rate(price.inputUsd) +
    tokens.output * rate(price.outputUsd) +
    tokens.cacheWrite * rate(price.cacheWriteUsd) +
    tokens.cacheWrite1h * rate(price.cacheWrite1hUsd) +
    tokens.cacheRead * rate(price.cacheReadUsd);
  return Math.ceil(scaled / 1_000_000);
}

/** How many output tokens `micros` pay for at `price` (what max_tokens is capped to near a limit). */
export function affordableOutputTokens(price: ModelPrice, micros: number): number {
  const perToken = rate(price.outputUsd);
  if (perToken === 0) return Number.MAX_SAFE_INTEGER;
  return Math.floor((micros * 1_000_000) / perToken);
}
