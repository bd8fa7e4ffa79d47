// The most a call's input can cost, bounded from its request before it is forwarded (docs/economics.md
// "The model gateway", decision 0049): the body's bytes split by the input kinds the provider may bill
// them as (plain input, or a cache write of either lifetime), one token a byte at most, capped at the
// most input tokens the model's window takes. Cache reads cost less than input, so the worst case prices
// none. Tokens the provider adds from outside the body (a URL's or a file's content, a server tool's
// results) are not bounded here (docs/security.md "The model gateway").
import { callCostMicros, type ModelPrice } from './prices.js';
import { NO_TOKENS } from './tokens.js';

/** A body's bytes by the dearest input kind each may be billed as. */
export interface InputBytes {
  /** Bytes the provider can bill as plain input (or cache reads) only. */
  input: number;
  /** Bytes that may be written to the cache with the five-minute lifetime. */
  cacheWrite: number;
  /** Bytes that may be written to the cache with the one-hour lifetime. */
  cacheWrite1h: number;
}

/** What a provider bounds of a request's input (provider.ts `inputBound`). */
export interface InputBound {
  bytes: InputBytes;
  /** The most input tokens the call can be billed for: the model's window. */
  maxTokens: number;
}

/**
 * Tokens per byte of a body, at most. Every provider the gateway serves tokenizes UTF-8 text with a
 * byte-level vocabulary (byte-pair encoding, or SentencePiece with byte fallback): a token covers at
 * least one byte, and a JSON body holds each text in at least as many bytes as its UTF-8 (escapes only
 * lengthen it). Images in a body are base64, far more bytes than the tokens they are billed as.
 */
export const TOKENS_PER_BYTE = 1;

/**
 * What the input of `bound` costs at most at `price`, in micro-dollars: the dearer kinds fill the
 * window first, each byte priced at the dearest kind it may be billed as (a table whose cache writes
 * cost less than its input prices them as input).
 */
export function inputCostMicros(price: ModelPrice, bound: InputBound): number {
  const kinds: { bytes: number; cost: (n: number) => number }[] = [
    { bytes: bound.bytes.cacheWrite1h, cost: (n) => worst(price, n, ['cacheWrite1h', 'cacheWrite']) },
    { bytes: bound.bytes.cacheWrite, cost: (n) => worst(price, n, ['cacheWrite']) },
    { bytes: bound.bytes.input, cost: (n) => worst(price, n, []) },
  ];
  let left = bound.maxTokens;
  const priced = kinds.map((k) => ({ ...k, perToken: k.cost(1_000_000) }));
  priced.sort((a, b) => b.perToken - a.perToken);
  let micros = 0;
  for (const k of priced) {
    const tokens = Math.min(Math.ceil(k.bytes * TOKENS_PER_BYTE), left);
    left -= tokens;
    micros += k.cost(tokens);
  }
  return micros;
}

/** `tokens` priced as the dearest of plain input and the cache-write kinds named. */
function worst(price: ModelPrice, tokens: number, kinds: ('cacheWrite' | 'cacheWrite1h')[]): number {
  let most = callCostMicros(price, { ...NO_TOKENS, input: tokens });
  for (const kind of kinds) most = Math.max(most, callCostMicros(price, { ...NO_TOKENS, [kind]: tokens }));
  return most;
}
