// The result protocol, read side: the agent container ends by writing one JSON document to its
// termination message (docs/result-protocol.md); the operator copies its fields into the run's status.
// A message without the protocol's marker is plain text (a crash's log tail, say): it may explain a
// failure, it is never a result. A document with the marker that breaks a rule is reported as a
// problem naming the field — the caller turns it into a warning Event, never a failed reconcile.
// The design it implements: docs/design.md §4.4.

import {
  MAX_OUTPUT_REASON,
  MAX_OUTPUTS,
  MAX_PULL_REQUEST_URL_BYTES,
  MAX_RESULT_BYTES,
  MAX_SESSION_ID_BYTES,
  MAX_SETUP_OUTPUT_BYTES,
  MAX_SETUP_SCRIPT_BYTES,
  MAX_SUMMARY_BYTES,
  MAX_USAGE_MODELS,
  OUTPUT_KINDS,
  OUTPUT_OUTCOMES,
  RESULT_PROTOCOL,
  type RunStatus,
  STOP_REASONS,
  type StopReason,
  TOKEN_FIELDS,
  USD_PATTERN,
  type Usage,
} from '../../api/index.js';
import { isPlainObject } from '../../util/index.js';

export { MAX_RESULT_BYTES, RESULT_PROTOCOL };

/** What an agent reports, as the status fields of the same names hold it. */
export type AgentResult = Pick<
  RunStatus,
  'pullRequestUrl' | 'sessionId' | 'workCompleted' | 'summary' | 'commit' | 'outputs' | 'setup'
>;

export type ResultRead =
  /** usage, stopReason: what the agent CLI reported it spent, and the limit that stopped it (not status fields as such). */
  | { result: AgentResult; usage?: Usage; stopReason?: StopReason; problem?: undefined; text?: undefined }
  | { problem: string; result?: undefined; text?: undefined; usage?: undefined; stopReason?: undefined }
  | { text: string; result?: undefined; problem?: undefined; usage?: undefined; stopReason?: undefined };

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
  outputs: (v) =>
    Array.isArray(v) && v.length <= MAX_OUTPUTS && v.every(isOutput)
      ? undefined
      : `a list of at most ${MAX_OUTPUTS} outputs, each a kind (${OUTPUT_KINDS.join(', ')}), an outcome (${OUTPUT_OUTCOMES.join(', ')}) and an optional reason of at most ${MAX_OUTPUT_REASON} characters`,
  setup: (v) =>
    isSetup(v)
      ? undefined
      : `an attempt (1 or more), a script path of at most ${MAX_SETUP_SCRIPT_BYTES} characters, an exitCode (0 to 255) and an optional output of at most ${MAX_SETUP_OUTPUT_BYTES} bytes`,
};

/** The setup script's report (status.setup). */
function isSetup(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const { attempt, script, exitCode, output } = v;
  return (
    Number.isSafeInteger(attempt) &&
    (attempt as number) >= 1 &&
    typeof script === 'string' &&
    script.length > 0 &&
    script.length <= MAX_SETUP_SCRIPT_BYTES &&
    Number.isInteger(exitCode) &&
    (exitCode as number) >= 0 &&
    (exitCode as number) <= 255 &&
    (output === undefined ||
      (typeof output === 'string' && Buffer.byteLength(output) <= MAX_SETUP_OUTPUT_BYTES))
  );
}

/** One entry of the publisher's outputs report (status.outputs). */
function isOutput(v: unknown): boolean {
  if (!isPlainObject(v)) return false;
  const { kind, outcome, reason } = v;
  return (
    OUTPUT_KINDS.includes(kind as never) &&
    OUTPUT_OUTCOMES.includes(outcome as never) &&
    (reason === undefined || (typeof reason === 'string' && reason.length <= MAX_OUTPUT_REASON))
  );
}

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
  const spent = fields.usage === undefined || fields.usage === null ? undefined : readUsage(fields.usage);
  if (spent && 'problem' in spent) return { problem: spent.problem };
  const stop = fields.stopReason;
  if (stop !== undefined && !STOP_REASONS.includes(stop as StopReason))
    return { problem: `result.stopReason must be one of ${STOP_REASONS.join(', ')}` };
  return {
    result: result as AgentResult,
    ...(spent ? { usage: spent.usage } : {}),
    ...(stop === undefined ? {} : { stopReason: stop as StopReason }),
  };
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

/** The cost and token counts of a usage or of one model's share: a problem names the first bad field. */
function readFigures(doc: Record<string, unknown>, at: string, fields: readonly string[]) {
  const out: Record<string, unknown> = {};
  if (doc.costUsd !== undefined) {
    if (typeof doc.costUsd !== 'string' || !USD_PATTERN.test(doc.costUsd))
      return { problem: `${at}.costUsd must be a dollar amount with at most 6 fraction digits ("0.123456")` };
    out.costUsd = doc.costUsd;
  }
  for (const field of fields) {
    if (doc[field] === undefined) continue;
    if (!isCount(doc[field])) return { problem: `${at}.${field} must be a whole number of at least 0` };
    out[field] = doc[field];
  }
  return { figures: out };
}

/** The usage an agent reported (docs/result-protocol.md), checked field by field. */
function readUsage(doc: unknown): { usage: Usage } | { problem: string } {
  if (!isPlainObject(doc)) return { problem: 'result.usage must be an object' };
  const total = readFigures(doc, 'result.usage', [...TOKEN_FIELDS, 'turns', 'durationMs']);
  if (total.problem !== undefined) return { problem: total.problem };
  const usage = total.figures as Usage;
  if (doc.models === undefined) return { usage };
  if (!Array.isArray(doc.models) || doc.models.length > MAX_USAGE_MODELS)
    return { problem: `result.usage.models must be a list of at most ${MAX_USAGE_MODELS} models` };
  const models: NonNullable<Usage['models']> = [];
  for (const [i, m] of doc.models.entries()) {
    const at = `result.usage.models[${i}]`;
    if (!isPlainObject(m) || typeof m.model !== 'string' || m.model === '' || m.model.length > 128)
      return { problem: `${at}.model must be a model id of at most 128 characters` };
    if (models.some((k) => k.model === m.model)) return { problem: `${at}.model repeats ${m.model}` };
    const share = readFigures(m, at, TOKEN_FIELDS);
    if (share.problem !== undefined) return { problem: share.problem };
    models.push({ model: m.model, ...share.figures });
  }
  return { usage: { ...usage, models } };
}

/**
 * The last line of a plain termination message (with FallbackToLogsOnError, a log tail: the error is
 * at its end), cut to fit a status message.
 */
export function lastLine(message: string, max = 200): string {
  const line = message.trim().split(/\r?\n/).pop() ?? '';
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
