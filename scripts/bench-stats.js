// What the benchmarks print: medians over rounds, ratios, fixed-width tables. Pure functions.

/** The median of some numbers (the mean of the middle two for an even count); NaN for none. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value at fraction `p` (0 to 1) of `sorted` (ascending), by nearest rank; NaN for none. */
export const percentile = (sorted, p) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;

/** `n` with `digits` decimals, or `-` when it is no finite number (a ratio to 0, a missing figure). */
export const fixed = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : '-');

/** a/b with two decimals (`-` when b is 0 or either is missing). */
export const ratio = (a, b) => fixed(a / b);

/** Each named field's median over `rows`: `{field: median}`. */
export function medians(rows, fields) {
  return Object.fromEntries(fields.map((field) => [field, median(rows.map((r) => r[field]))]));
}

/** A table as lines: the first `left` columns padded right (names), the others left (numbers). */
export function table(header, rows, left = 1) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells.map((c, i) => (i < left ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}
