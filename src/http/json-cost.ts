// What JSON.parse will allocate for a body, estimated from one pass over its bytes, so the bytes can
// be reserved from the listener's budget (listener-budget.ts) before parsing: 3 MiB of `[{},{},…]`
// becomes about 67 MiB of heap (a million objects), 3 MiB of one string about 6 MiB, 3 MiB of short
// unique keys (`{"a0":0,"a1":0,…}`, each key an internalised string and a dictionary entry; one-key
// objects each with a hidden class of their own) 25 to 45 MiB. Measured on Node 20 (json-cost.test.ts
// measures the worst shapes; docs/security.md "Listener budgets"); rounded up, since an estimate that is
// low lets memory past the budget and one that is high only refuses sooner.

/** Heap bytes per object or array (its header, its elements' backing store, the parent's slot). */
const PER_CONTAINER = 72;
/** Heap bytes per value separator: a number, a boolean, an empty string, a slot. */
const PER_VALUE = 16;
/** Heap bytes per string, key or value (an opening quote): a heap string's header and padding. */
const PER_STRING = 24;
/**
 * Heap bytes per property (a `:` outside strings) besides its key: its entry in a dictionary object, or
 * a hidden class (a map and a descriptor) when an object's keys are unseen. Measured up to about 60.
 */
const PER_PROPERTY = 80;
/** Heap bytes per body byte: the UTF-8 decoded string JSON.parse reads, and the strings it makes. */
const PER_BYTE = 2;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const COMMA = 0x2c;
const COLON = 0x3a;

/**
 * Below this size a body is not scanned: the scan costs nearly what parsing does (50 µs for a 4 KiB
 * review), and the worst case per byte is bounded, so reserving that bound costs at most about 1 MiB
 * per request.
 */
const SCANNED_FROM = 16 * 1024;
/**
 * The most any body can cost per byte: an array or object takes at least two bytes (`[]`), a separator
 * needs a value beside it (`0,`), a string two (`""`), a property four (`"":0`). No body reaches every bound at
 * once, so their sum is above any of them.
 */
const WORST_PER_BYTE = PER_BYTE + PER_CONTAINER / 2 + PER_VALUE / 2 + PER_STRING / 2 + PER_PROPERTY / 4;

/** The estimated heap bytes of parsing `body` (its own bytes not included). */
export function jsonParseCost(body: Uint8Array): number {
  if (body.length < SCANNED_FROM) return body.length * WORST_PER_BYTE;
  let containers = 0;
  let values = 0;
  let strings = 0;
  let properties = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
      strings++;
    } else if (c === OPEN_OBJECT || c === OPEN_ARRAY) containers++;
    else if (c === COMMA) values++;
    else if (c === COLON) properties++;
  }
  return (
    body.length * PER_BYTE +
    containers * PER_CONTAINER +
    values * PER_VALUE +
    strings * PER_STRING +
    properties * PER_PROPERTY
  );
}
