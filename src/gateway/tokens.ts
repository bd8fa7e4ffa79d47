// Token counts of one model call as a provider's response states them, and how a streamed answer's
// counts are merged (docs/economics.md "The model gateway"). Provider-neutral: each provider's route
// maps its own usage object onto these.

/** What one call used, by token kind. Cache writes are split by their lifetime, which are priced apart. */
export interface CallTokens {
  input: number;
  output: number;
  cacheWrite: number;
  /** Cache writes with the one-hour lifetime (Anthropic prices them above the five-minute ones). */
  cacheWrite1h: number;
  cacheRead: number;
}

export const NO_TOKENS: CallTokens = Object.freeze({
  input: 0,
  output: 0,
  cacheWrite: 0,
  cacheWrite1h: 0,
  cacheRead: 0,
});

const count = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;

/**
 * An Anthropic `usage` object as counts; fields it lacks keep `base`'s (a stream's message_delta states
 * the cumulative counts it changes, message_start the others). One-hour cache writes are taken out of
 * cache_creation_input_tokens so that no token is priced twice.
 */
export function anthropicTokens(usage: unknown, base: CallTokens = NO_TOKENS): CallTokens {
  if (typeof usage !== 'object' || usage === null) return base;
  const u = usage as Record<string, unknown>;
  const creation = (u.cache_creation ?? {}) as Record<string, unknown>;
  const written = count(u.cache_creation_input_tokens);
  const hour = count(creation.ephemeral_1h_input_tokens);
  const totalWrites = written ?? base.cacheWrite + base.cacheWrite1h;
  const hourWrites = Math.min(hour ?? base.cacheWrite1h, totalWrites);
  return {
    input: count(u.input_tokens) ?? base.input,
    output: count(u.output_tokens) ?? base.output,
    cacheWrite: totalWrites - hourWrites,
    cacheWrite1h: hourWrites,
    cacheRead: count(u.cache_read_input_tokens) ?? base.cacheRead,
  };
}
