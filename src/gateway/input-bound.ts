// The most a call's input can cost, bounded from its request before it is forwarded (docs/economics.md
// "The model gateway", decision 0049): the body's bytes split by the input kinds the provider may bill
// them as (plain input, or a cache write of either lifetime), one token a byte at most, capped at the
// most input tokens the model's window takes. Cache reads cost less than input, so the worst case prices
// none. Tokens the provider adds from outside the body (a URL's or a file's content, a server tool's
// results) are not bounded here (docs/security.md "The model gateway").
import { callCostMicros, type ModelPrice } from './prices.js';
import { type CallTokens, NO_TOKENS } from './tokens.js';

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
 * The dearest token counts the input of `bound` can be billed as at `price`: the dearer kinds fill the
 * window first, each byte counted as the dearest kind it may be billed as (a table whose cache writes
 * cost less than its input counts them as input).
 */
export function worstInputTokens(price: ModelPrice, bound: InputBound): CallTokens {
  const groups: { bytes: number; kinds: InputKind[] }[] = [
    { bytes: bound.bytes.cacheWrite1h, kinds: ['input', 'cacheWrite1h', 'cacheWrite'] },
    { bytes: bound.bytes.cacheWrite, kinds: ['input', 'cacheWrite'] },
    { bytes: bound.bytes.input, kinds: ['input'] },
  ];
  const perToken = (kind: InputKind) => callCostMicros(price, { ...NO_TOKENS, [kind]: 1_000_000 });
  const priced = groups.map(({ bytes, kinds }) => {
    const kind = kinds.reduce((a, b) => (perToken(b) > perToken(a) ? b : a));
    return { bytes, kind, perToken: perToken(kind) };
  });
  priced.sort((a, b) => b.perToken - a.perToken);
  const tokens: CallTokens = { ...NO_TOKENS };
  let left = bound.maxTokens;
  for (const { bytes, kind } of priced) {
    const n = Math.min(Math.ceil(bytes * TOKENS_PER_BYTE), left);
    left -= n;
    tokens[kind] += n;
  }
  return tokens;
}

type InputKind = 'input' | 'cacheWrite' | 'cacheWrite1h';

/** What the input of `bound` costs at most at `price`, in micro-dollars. */
export function inputCostMicros(price: ModelPrice, bound: InputBound): number {
  return callCostMicros(price, worstInputTokens(price, bound));
}
