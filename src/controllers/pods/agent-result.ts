// The result protocol, read side: the agent container ends by writing one JSON document to its
// termination message (docs/result-protocol.md); the operator copies its fields into the run's status.
// A message without the protocol's marker is plain text (a crash's log tail, say): it may explain a
// failure, it is never a result. A document with the marker that breaks a rule is reported as a
// problem naming the field — the caller turns it into a warning Event, never a failed reconcile.
// The design it implements: docs/design.md §4.4.

import {
  MAX_PULL_REQUEST_URL_BYTES,
  MAX_RESULT_BYTES,
  MAX_SESSION_ID_BYTES,
  MAX_SUMMARY_BYTES,
  RESULT_PROTOCOL,
} from '../../api/index.js';

export { MAX_RESULT_BYTES, RESULT_PROTOCOL };

/** What an agent reports, as the status fields of the same names hold it. */
export interface AgentResult {
  pullRequestUrl?: string;
  sessionId?: string;
  workCompleted?: boolean;
  summary?: string;
  commit?: string;
}

export type ResultRead =
  | { result: AgentResult; problem?: undefined; text?: undefined }
  | { problem: string; result?: undefined; text?: undefined }
  | { text: string; result?: undefined; problem?: undefined };

type FieldRule = (value: unknown) => string | undefined;

const text =
  (max: number, pattern?: RegExp, what = `a string of at most ${max} characters`): FieldRule =>
  (v) =>
    typeof v === 'string' && v.length > 0 && v.length <= max && (!pattern || pattern.test(v))
      ? undefined
      : what;

/** Each field's rule (the status schema's limits), as the message that says what it must be. */
const FIELDS: { readonly [F in keyof Required<AgentResult>]: FieldRule } = {
  pullRequestUrl: text(
    MAX_PULL_REQUEST_URL_BYTES,
    /^https?:\/\/[^\s]+$/i,
    `an http(s) URL of at most ${MAX_PULL_REQUEST_URL_BYTES} characters`,
  ),
  sessionId: text(MAX_SESSION_ID_BYTES),
  workCompleted: (v) => (typeof v === 'boolean' ? undefined : 'true or false'),
  summary: text(MAX_SUMMARY_BYTES, /^[^\r\n]*$/, `one line of at most ${MAX_SUMMARY_BYTES} characters`),
  commit: text(64, /^[0-9a-fA-F]{7,64}$/, 'a hexadecimal commit id of 7 to 64 digits'),
};

/** Reads an agent container's termination message; undefined when it wrote none. */
export function readResult(message: string | undefined): ResultRead | undefined {
  if (message === undefined || message.trim() === '') return undefined;
  const looksLikeResult = message.trimStart().startsWith('{') && message.includes(RESULT_PROTOCOL);
  if (!looksLikeResult) return { text: message };
  if (Buffer.byteLength(message) > MAX_RESULT_BYTES)
    return { problem: `the result document is larger than ${MAX_RESULT_BYTES} bytes` };
  let doc: unknown;
  try {
    doc = JSON.parse(message);
  } catch (err) {
    return { problem: `the result document is not valid JSON (${(err as Error).message})` };
  }
  // It starts with '{': what parsed is an object.
  const fields = doc as Record<string, unknown>;
  if (fields.protocol !== RESULT_PROTOCOL) return { text: message };
  const result: Record<string, unknown> = {};
  for (const [field, rule] of Object.entries(FIELDS)) {
    const value = fields[field];
    if (value === undefined || value === null) continue;
    const problem = rule(value);
    if (problem) return { problem: `result.${field} must be ${problem}` };
    result[field] = value;
  }
  return { result: result as AgentResult };
}

/**
 * The last line of a plain termination message (with FallbackToLogsOnError, a log tail: the error is
 * at its end), cut to fit a status message.
 */
export function lastLine(message: string, max = 200): string {
  const line = message.trim().split(/\r?\n/).pop() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
