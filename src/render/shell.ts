// Shell quoting for values rendered into bash scripts. Single quotes make bash take every character
// literally — $(...), backticks, double quotes, newlines — except the single quote itself, which is
// closed, escaped and reopened ('\''). NUL cannot live in a bash string at all, so it is refused
// rather than silently truncating the value.

/** `value` as one bash word that expands to exactly `String(value)`. */
export function shellQuote(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return `'${String(value)}'`;
  }
  if (typeof value !== 'string') {
    throw new TypeError(`shell quoting needs a string, number or boolean, got ${describe(value)}`);
  }
  if (value.includes('\0')) throw new TypeError('shell quoting: a value may not contain a NUL character');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** Each element quoted, separated by spaces: a list of words for a bash array `(...)`. */
export function shellWords(values: unknown): string {
  if (!Array.isArray(values)) throw new TypeError(`shell words need an array, got ${describe(values)}`);
  return values.map(shellQuote).join(' ');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
