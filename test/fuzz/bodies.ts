// Bodies for the webhook fuzz tests: JSON text with raw tokens that JSON.stringify cannot produce
// (10k-deep nesting, 1e400, lone surrogates), so the server's parser and everything after it see them,
// and the adversarial values the mutations draw from.

/** fast-check prints a value through this method (the symbol fast-check exports as `toStringMethod`). */
const FC_TO_STRING = Symbol.for('fast-check/toStringMethod');

/** A piece of JSON text spliced verbatim into the encoded body in place of this value. */
export class Raw {
  constructor(
    readonly text: string,
    readonly label: string,
  ) {
    // Shared by every run that draws it: nothing may add fields to it.
    Object.freeze(this);
  }
  toJSON() {
    return `${RAW_MARK}${rawTexts.push(this.text) - 1}${RAW_MARK}`;
  }
  [FC_TO_STRING]() {
    return `Raw(${this.label})`;
  }
}
const RAW_MARK = `@raw${Math.random().toString(36).slice(2)}@`;
const rawTexts: string[] = [];

/** JSON text of `value`, with every Raw in it spliced in as its text. */
export function encode(value: unknown): string {
  rawTexts.length = 0;
  const text = JSON.stringify(value) ?? 'null';
  return text.replace(new RegExp(`"${RAW_MARK}(\\d+)${RAW_MARK}"`, 'g'), (_, i) => rawTexts[Number(i)] ?? '');
}

export const deepArrays = (n: number) => new Raw(`${'['.repeat(n)}${']'.repeat(n)}`, `${n} nested arrays`);
export const deepObjects = (n: number) =>
  new Raw(`${'{"a":'.repeat(n)}1${'}'.repeat(n)}`, `${n} nested objects`);
export const deepMixed = (n: number) =>
  new Raw(`${'[{"a":'.repeat(n)}"x"${'}]'.repeat(n)}`, `${n} nested arrays of objects`);
export const huge = (n: number, unit = 'a') => new Raw(JSON.stringify(unit.repeat(n)), `"${unit}" x ${n}`);
/** An array of `n` copies of the JSON text `item` (1e6 integers make ~2 MiB). */
export const repeated = (n: number, item: string) =>
  new Raw(
    `[${Array(n).fill(item).join(',')}]`,
    `${n} x ${item.length > 12 ? `${item.slice(0, 9)}...` : item}`,
  );

/** An own `__proto__` key, as JSON.parse creates it. */
export const protoKey = (value: unknown) => {
  const o: Record<string, unknown> = {};
  Object.defineProperty(o, '__proto__', { value, enumerable: true, writable: true, configurable: true });
  return o;
};

/** Values of every JSON type; `wrongTypes` picks those of another type than the one present. */
const BY_TYPE: Record<string, unknown[]> = {
  null: [null],
  boolean: [true],
  number: [-1.5],
  string: [''],
  array: [[{}]],
  object: [{ toString: 1 }],
};
const typeOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
export const wrongTypes = (v: unknown) =>
  Object.entries(BY_TYPE)
    .filter(([type]) => type !== typeOf(v))
    .flatMap(([, values]) => values);

/** Adversarial values for the random mutations. */
export const SPECIAL: unknown[] = [
  deepArrays(10_000),
  deepObjects(10_000),
  deepMixed(5_000),
  huge(256 * 1024),
  huge(64 * 1024, 'é'),
  new Raw(JSON.stringify(`git@${'a'.repeat(30_000)}:${'a/'.repeat(30_000)}!`), 'adversarial repository URL'),
  new Raw(JSON.stringify(`${'a-'.repeat(50_000)}!`), 'adversarial DNS label'),
  new Raw(JSON.stringify(`${'1'.repeat(50_000)}e${'1'.repeat(50_000)}x`), 'adversarial quantity'),
  new Raw('1e400', '1e400'),
  new Raw('-0', '-0'),
  new Raw('"\\ud800"', 'lone surrogate'),
  new Raw('"\\u0000"', 'NUL'),
  new Raw('123456789012345678901234567890', 'big integer'),
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  protoKey({ polluted: true }),
  { constructor: { prototype: { polluted: true } } },
  { toString: 1, valueOf: 1 },
  Number.MAX_SAFE_INTEGER + 2,
  -(2 ** 31) - 1,
  2 ** 31,
  'CREATE',
  'orchestrator.io',
  'TaskRun',
];
