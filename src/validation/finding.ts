/** One problem with an object: where (a kubectl-style path), what, and which rule found it. */
export interface Finding {
  /** e.g. `spec.markdownFiles[1].filename`; empty for the whole object. */
  path: string;
  message: string;
  /** Low-cardinality rule name, for metrics and for tests (e.g. `schema`, `unique-filenames`). */
  rule: string;
  /** Errors deny; warnings are shown (kubectl prints them) and allowed. */
  severity: 'error' | 'warning';
  /** Set on a summary that stands for this many findings not described one by one (see `omitted`). */
  omitted?: number;
}

export const error = (rule: string, path: string, message: string): Finding => ({
  rule,
  path,
  message,
  severity: 'error',
});
export const warning = (rule: string, path: string, message: string): Finding => ({
  rule,
  path,
  message,
  severity: 'warning',
});

/** `spec.x: message`, the shape kubectl users know from the apiserver. */
export const formatFinding = (f: Finding): string => (f.path ? `${f.path}: ${f.message}` : f.message);

/**
 * How many findings a report describes. The rest are counted, not listed: a 2 MiB object can hold a
 * million wrong values, and describing each would take seconds and make an answer of tens of MiB.
 */
export const REPORTED_FINDINGS = 100;
/** The longest a reported finding gets (paths and values come from user input and can be huge). */
export const MAX_FINDING_CHARS = 1024;

/** `text`, cut to `max` characters with `...` when longer. */
export const truncate = (text: string, max: number): string =>
  text.length > max ? `${text.slice(0, max - 3)}...` : text;

/** One error standing for `count` further findings of `rule` that were not described. */
export const omitted = (rule: string, count: number, what: string): Finding => ({
  ...error(rule, '', `… and ${count} more ${what} (not listed)`),
  omitted: count,
});

/** How many findings `findings` stand for (a summary counts as the findings it stands for). */
export const countFindings = (findings: Finding[]): number =>
  findings.reduce((n, f) => n + (f.omitted ?? 1), 0);

/**
 * The findings formatted for a denial or a list of warnings: at most `max`, each cut to
 * MAX_FINDING_CHARS, then `… and N more` for the rest (summaries included), so the size is bounded.
 */
export function reportFindings(findings: Finding[], max = REPORTED_FINDINGS): string[] {
  const out: string[] = [];
  let more = 0;
  for (const f of findings) {
    if (f.omitted !== undefined) more += f.omitted;
    else if (out.length < max) out.push(truncate(formatFinding(f), MAX_FINDING_CHARS));
    else more++;
  }
  if (more > 0) out.push(`… and ${more} more`);
  return out;
}

/** Renders a value the way the apiserver does in `Invalid value: …`, cut short for huge strings. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    // JSON.stringify recurses: a value nested thousands deep overflows the stack. Name its shape instead.
    text = Array.isArray(value) ? '[...]' : '{...}';
  }
  return truncate(text, 80);
}
