// What JSON.parse will allocate for a body, estimated from one pass over its bytes, so the bytes can
// be reserved from the listener's budget (listener-budget.ts) before parsing: 3 MiB of `[{},{},…]`
// becomes about 67 MiB of heap (a million objects), 3 MiB of one string about 6 MiB. Measured on
// Node 20 (docs/security.md "Listener budgets"); rounded up, since an estimate that is low lets memory
// past the budget and one that is high only refuses sooner.

/** Heap bytes per object or array (its header, its elements' backing store, the parent's slot). */
const PER_CONTAINER = 72;
/** Heap bytes per value separator: a number, a boolean, an empty string, a slot. */
const PER_VALUE = 16;
/** Heap bytes per body byte: the UTF-8 decoded string JSON.parse reads, and the strings it makes. */
const PER_BYTE = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const COMMA = 0x2c;

/**
 * Below this size a body is not scanned: the scan costs nearly what parsing does (50 µs for a 4 KiB
 * review), and the worst case per byte is bounded — an array or object takes at least two bytes
 * (`[]`) and a separator one — so reserving that bound costs at most 2.5 MiB per request.
 */
const SCANNED_FROM = 64 * 1024;
const WORST_PER_BYTE = PER_CONTAINER / 2 + PER_VALUE + PER_BYTE;

/** The estimated heap bytes of parsing `body` (its own bytes not included). */
export function jsonParseCost(body: Uint8Array): number {
  if (body.length < SCANNED_FROM) return body.length * WORST_PER_BYTE;
  let containers = 0;
  let values = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_OBJECT || c === OPEN_ARRAY) containers++;
    else if (c === COMMA) values++;
  }
  return body.length * PER_BYTE + containers * PER_CONTAINER + values * PER_VALUE;
}
