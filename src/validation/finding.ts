/** One problem with an object: where (a kubectl-style path), what, and which rule found it. */
export interface Finding {
  /** e.g. `spec.markdownFiles[1].filename`; empty for the whole object. */
  path: string;
  message: string;
  /** Low-cardinality rule name, for metrics and for tests (e.g. `schema`, `unique-filenames`). */
  rule: string;
  /** Errors deny; warnings are shown (kubectl prints them) and allowed. */
  severity: 'error' | 'warning';
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

/** Renders a value the way the apiserver does in `Invalid value: …`, cut short for huge strings. */
export function showValue(value: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(value) ?? 'null';
  } catch {
    // JSON.stringify recurses: a value nested thousands deep overflows the stack. Name its shape instead.
    text = Array.isArray(value) ? '[...]' : '{...}';
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
