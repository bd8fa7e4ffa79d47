// What a metered call holds against its limits while it runs, and what it is billed when it ends
// without its provider's final usage (docs/economics.md "The model gateway", decision 0063): the most
// its input can be billed for (input-bound.ts) and the output cap it was forwarded with. The provider
// bills what it generated, which the gateway cannot know once the answer broke off (the client went
// away, the time ran out, the upstream cut it) or stated no usage: the call is billed the most it could
// have cost, or what the gateway counted of it when that is more.
import { type InputBound, worstInputTokens } from './input-bound.js';
import type { ModelPrice } from './prices.js';
import type { CallTokens } from './tokens.js';

/** The tokens a call is reserved for: its input's worst case and its forwarded output cap. */
export function reservedTokens(price: ModelPrice, input: InputBound, outputCap: number): CallTokens {
  return { ...worstInputTokens(price, input), output: outputCap };
}

/**
 * The tokens a call that ended without its final usage is billed for: its reservation, or what the
 * answer stated of it before it ended (`counted`) when that costs more (input the provider added from
 * outside the body is not in the reservation).
 */
export function unfinishedTokens(
  cost: (tokens: CallTokens) => number,
  reserved: CallTokens,
  counted: CallTokens | undefined,
): CallTokens {
  return counted && cost(counted) > cost(reserved) ? counted : reserved;
}
