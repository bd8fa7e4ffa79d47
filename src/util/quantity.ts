// Kubernetes quantities (500m, 0.5, 2Gi, 1e3) compared exactly: each is parsed into a fraction of
// BigInts, so `500m` equals `0.5` and `1Gi` exceeds `1G` without floating-point rounding
// (@kubernetes/client-node's quantityToScalar returns a float for milli and decimal values).
// The grammar is the apiserver's (resource.Quantity), which the schemas' pattern already enforces.

const QUANTITY =
  /^([+-]?)(\d+(?:\.\d*)?|\.\d+)(?:([KMGTPE]i)|([numkMGTPE])|[eE]([+-]?\d+(?:\.\d*)?|[+-]?\.\d+))?$/;

const BINARY: Record<string, bigint> = { Ki: 10n, Mi: 20n, Gi: 30n, Ti: 40n, Pi: 50n, Ei: 60n };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** A quantity as numerator / denominator (the denominator positive). */
export interface Quantity {
  num: bigint;
  den: bigint;
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

/** The quantity's exact value, or undefined when `text` is not a Kubernetes quantity. */
export function parseQuantity(text: string): Quantity | undefined {
  const m = QUANTITY.exec(text);
  if (!m) return undefined;
  const [, sign, number, binary, decimal, exponent] = m;
  const [whole, fraction = ''] = (number as string).split('.');
  let num = BigInt(`${whole || '0'}${fraction}`) * (sign === '-' ? -1n : 1n);
  let den = pow10(fraction.length);
  if (binary) num *= 2n ** (BINARY[binary] as bigint);
  let scale = decimal ? (DECIMAL[decimal] as number) : 0;
  if (exponent !== undefined) {
    // The apiserver takes an integer exponent; a fractional one is matched by the schema's pattern,
    // but no Kubernetes quantity is written so, and rejecting it is safer than rounding it.
    if (exponent.includes('.')) return undefined;
    scale = Number(exponent);
    if (Math.abs(scale) > 1000) return undefined;
  }
  if (scale > 0) num *= pow10(scale);
  else if (scale < 0) den *= pow10(-scale);
  return { num, den };
}

/** -1, 0 or 1 as a is less than, equal to or more than b. */
export function compareQuantities(a: Quantity, b: Quantity): number {
  const left = a.num * b.den;
  const right = b.num * a.den;
  return left < right ? -1 : left > right ? 1 : 0;
}
