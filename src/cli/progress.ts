// What `--wait` prints: one line per change of a run's phase, attempt or conditions, and the closing
// summary with the exit code of the outcome. Pure functions of the objects seen, so they unit-test.
import type { Condition, RunKindName, RunStatus } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { humanDuration } from './duration.js';

/** Every kind's status (schemas/shared/run-status.yaml). */
type Status = RunStatus;

export const EXIT = Object.freeze({ succeeded: 0, failed: 1, timeout: 2, interrupted: 130 });

export const runStatus = (run: KubeObject | undefined): Status => (run?.status ?? {}) as Status;

export const clock = (at: Date) => at.toTimeString().slice(0, 8);

export interface Paint {
  phase(phase: string): string;
}
export const plain: Paint = { phase: (p) => p };
const COLOURS: Record<string, string> = {
  Succeeded: '32',
  Failed: '31',
  Cancelled: '35',
  Running: '36',
  Pending: '33',
};
export const colour: Paint = {
  phase: (p) => (COLOURS[p.trim()] ? `\x1b[${COLOURS[p.trim()]}m${p}\x1b[0m` : p),
};

const conditionText = (c: Condition) =>
  `${c.type}=${c.status} (${c.reason})${c.message ? ` ${c.message}` : ''}`;

const sameCondition = (a: Condition | undefined, b: Condition) =>
  a !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;

/** The lines for going from `before` (undefined: nothing seen yet) to `after`. */
export function progressLines(
  before: KubeObject | undefined,
  after: KubeObject,
  at: Date,
  paint: Paint = plain,
): string[] {
  const was = runStatus(before);
  const now = runStatus(after);
  const phase = paint.phase((now.phase ?? 'Pending').padEnd(9));
  const prefix = `${clock(at)} ${phase}`;
  const lines: string[] = [];
  if (now.attempt !== undefined && now.attempt !== was.attempt)
    lines.push(`${prefix} attempt ${now.attempt}${now.jobName ? `: Job ${now.jobName}` : ''}`);
  for (const c of now.conditions ?? []) {
    if (
      !sameCondition(
        was.conditions?.find((w) => w.type === c.type),
        c,
      )
    )
      lines.push(`${prefix} ${conditionText(c)}`);
  }
  if (lines.length === 0 && (before === undefined || now.phase !== was.phase))
    lines.push(`${prefix} ${now.message ?? (now.phase ? '' : 'waiting for the controller')}`.trimEnd());
  return lines;
}

export type Outcome = 'succeeded' | 'failed' | 'cancelled' | 'timeout' | 'interrupted' | 'deleted';

/** A cancelled or deleted run did not succeed: the exit code of a failure. */
export function exitCode(outcome: Outcome): number {
  return outcome === 'deleted' || outcome === 'cancelled' ? EXIT.failed : EXIT[outcome];
}

/** Why a run failed, in one line: the Succeeded condition's reason and the message's first line. */
export function failureReason(status: Status): string | undefined {
  const reason = status.conditions?.find((c) => c.type === 'Succeeded' && c.status === 'False')?.reason;
  const first = status.message?.split('\n', 1)[0];
  if (!first) return reason;
  return reason ? `(${reason}) ${first}` : first;
}

/**
 * The closing summary: the outcome with what the user asked for, the pull request (result protocol)
 * or else, when the run failed, why; then the details.
 */
export function summaryLines(
  kind: RunKindName,
  name: string,
  run: KubeObject | undefined,
  outcome: Outcome,
  now: Date,
  timeoutText = '',
): string[] {
  const status = runStatus(run);
  const pr = status.pullRequestUrl;
  const reason = outcome === 'failed' && !pr ? failureReason(status) : undefined;
  const heading: Record<Outcome, string> = {
    succeeded: `${kind} ${name} succeeded${pr ? `: pull request ${pr}` : ''}`,
    failed: `${kind} ${name} failed${pr ? `; pull request ${pr}` : reason ? `: ${reason}` : ''}`,
    cancelled: `${kind} ${name} was cancelled`,
    deleted: `${kind} ${name} was deleted while waiting`,
    timeout: `timed out after ${timeoutText} waiting for ${kind} ${name}; it goes on (phase ${status.phase ?? 'Pending'})`,
    interrupted: `stopped waiting for ${kind} ${name}; it goes on (phase ${status.phase ?? 'Pending'})`,
  };
  const begin = status.startTime ?? run?.metadata?.creationTimestamp;
  const end = status.completionTime ? Date.parse(status.completionTime) : now.getTime();
  const rows: [string, string | number | boolean | undefined][] = [
    ['Phase', status.phase],
    ['Attempt', status.attempt],
    ['Duration', typeof begin === 'string' ? humanDuration(end - Date.parse(begin)) : undefined],
    ['Job', status.jobName],
    ['Pod', status.podName],
    ['Pull request', pr],
    ['Summary', status.summary],
    ['Work completed', status.workCompleted],
    ['Message', status.message],
  ];
  return [
    heading[outcome],
    ...rows.filter(([, v]) => v !== undefined && v !== '').map(([k, v]) => `  ${`${k}:`.padEnd(16)}${v}`),
  ];
}
