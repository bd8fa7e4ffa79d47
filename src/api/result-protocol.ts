import type { RunStatus } from './types.js';

// The result protocol's constants (docs/result-protocol.md), in one place for both of its sides: the
// operator reads the document (src/controllers/pods/agent-result.ts), and the entry script writes it
// (templates/agent-shell/result.sh), which gets these values from its rendered prelude
// (templates/partials/values.sh.hbs) rather than a copy of its own.

/** The marker every result document carries in its `protocol` field. */
export const RESULT_PROTOCOL = 'orchestrator.io/result/v1';
/** Kubernetes keeps at most this much of a container's termination message. */
export const MAX_RESULT_BYTES = 4096;
/** The longest summary (status.summary). */
export const MAX_SUMMARY_BYTES = 1024;
/** The longest pull request URL (status.pullRequestUrl). */
export const MAX_PULL_REQUEST_URL_BYTES = 2048;
/** The longest session id (status.sessionId). */
export const MAX_SESSION_ID_BYTES = 256;
/**
 * The end of the setup script's output the result carries (status.setup.output): the document must
 * still fit MAX_RESULT_BYTES beside a usage and a summary; the whole is setup.log in the run directory.
 */
export const MAX_SETUP_OUTPUT_BYTES = 384;
/** The longest setup script path (config baseBranch.setupScript, status.setup.script). */
export const MAX_SETUP_SCRIPT_BYTES = 256;

/** What the entry script's prelude defines, by shell variable. */
export const RESULT_SHELL_CONSTANTS = {
  RESULT_PROTOCOL,
  RESULT_MAX_BYTES: MAX_RESULT_BYTES,
  SUMMARY_MAX_BYTES: MAX_SUMMARY_BYTES,
  PULL_REQUEST_URL_MAX_BYTES: MAX_PULL_REQUEST_URL_BYTES,
  SESSION_ID_MAX_BYTES: MAX_SESSION_ID_BYTES,
  SETUP_OUTPUT_MAX_BYTES: MAX_SETUP_OUTPUT_BYTES,
} as const;

type RunOutput = NonNullable<RunStatus['outputs']>[number];
// Records keyed by the generated types: a kind or outcome added to the status schema fails to compile here.
const KINDS: Record<RunOutput['kind'], true> = {
  comment: true,
  review: true,
  labels: true,
  checkRun: true,
  unknown: true,
};
const OUTCOMES: Record<RunOutput['outcome'], true> = { Performed: true, Refused: true, Failed: true };
/** What an entry of the publisher's outputs report (status.outputs) may say. */
export const OUTPUT_KINDS = Object.keys(KINDS) as readonly RunOutput['kind'][];
export const OUTPUT_OUTCOMES = Object.keys(OUTCOMES) as readonly RunOutput['outcome'][];
/** The most entries (status.outputs' maxItems) and the longest reason (its maxLength). */
export const MAX_OUTPUTS = 16;
export const MAX_OUTPUT_REASON = 256;
