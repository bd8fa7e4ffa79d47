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

/**
 * An OpenAI Responses API `usage` object as counts: input_tokens includes the cached ones
 * (input_tokens_details.cached_tokens, priced as cache reads) and those written to the cache
 * (cache_write_tokens, priced as cache writes); output_tokens includes the reasoning ones.
 */
export function openaiTokens(usage: unknown): CallTokens | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const details = (u.input_tokens_details ?? {}) as Record<string, unknown>;
  const input = count(u.input_tokens) ?? 0;
  const cached = Math.min(count(details.cached_tokens) ?? 0, input);
  const written = Math.min(count(details.cache_write_tokens) ?? 0, input - cached);
  return {
    ...NO_TOKENS,
    input: input - cached - written,
    output: count(u.output_tokens) ?? 0,
    cacheWrite: written,
    cacheRead: cached,
  };
}

/**
 * A Gemini `usageMetadata` object as counts: promptTokenCount includes the cached ones
 * (cachedContentTokenCount, priced as cache reads); the output is the candidates' and the thoughts'
 * tokens, which Gemini bills alike (a tool-use prompt's tokens are input).
 */
export function geminiTokens(usage: unknown): CallTokens | undefined {
  if (typeof usage !== 'object' || usage === null) return undefined;
  const u = usage as Record<string, unknown>;
  const prompt = (count(u.promptTokenCount) ?? 0) + (count(u.toolUsePromptTokenCount) ?? 0);
  const cached = Math.min(count(u.cachedContentTokenCount) ?? 0, prompt);
  return {
    ...NO_TOKENS,
    input: prompt - cached,
    output: (count(u.candidatesTokenCount) ?? 0) + (count(u.thoughtsTokenCount) ?? 0),
    cacheRead: cached,
  };
}
