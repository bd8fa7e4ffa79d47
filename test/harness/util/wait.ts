// Waiting in tests. No test asserts how long something took (that is a benchmark's job): a test waits
// for what it expects, within a generous limit, and a wait that runs out fails naming what it waited
// for and what it saw last. Every limit is multiplied by one factor, ORCHESTRATOR_TEST_TIMEOUT_SCALE
// (default 1; see scripts/test-timeout-scale.js), for a slow or loaded machine.
import { setTimeout as sleep } from 'node:timers/promises';
import { testTimeoutScale } from '../../../scripts/test-timeout-scale.js';
import { isServerBusy, RequestTimeoutError } from '../../../src/runtime/api-error.js';

export const TIMEOUT_SCALE = testTimeoutScale();

/** `ms` times the scale factor: every limit a test waits for passes through this. */
export function scaled(ms: number): number {
  return Math.ceil(ms * TIMEOUT_SCALE);
}

/**
 * The limit of one apiserver request a test's client makes (scaled): a loaded machine's apiserver may
 * answer late, and a test is about what it answers, not when. CI lost a file to a create that took 10 s.
 */
export const REQUEST_LIMIT_MS = scaled(60_000);

/**
 * The limit of a wait that names none (before scaling): no test waits for something not to happen, so
 * the limit only bounds a failure, and beside the other lanes a Job took over 60 s to be marked Failed.
 */
export const DEFAULT_WAIT_MS = 180_000;

export interface WaitOptions {
  /** The limit before scaling. Default {@link DEFAULT_WAIT_MS}. */
  timeoutMs?: number;
  /**
   * Time between checks, fixed. Default: 50 ms, growing by half after each check up to
   * {@link MAX_POLL_MS}, so that a short wait ends soon and a long one does not poll the apiserver
   * twenty times a second: on a loaded machine the waits grow, and with them the load they put on it.
   */
  intervalMs?: number;
}

/** The first pause between checks of a wait that names none. */
const FIRST_POLL_MS = 50;
/** The longest pause between checks of a wait that names none. */
export const MAX_POLL_MS = 250;

/** The pause after `previous` of a wait that names none. */
export const nextPoll = (previous: number): number => Math.min(MAX_POLL_MS, Math.ceil(previous * 1.5));

/** A wait that ran out; its message names what was awaited and what was seen last. */
export class WaitTimeout extends Error {
  override name = 'WaitTimeout';
}

/** What a check reports while its condition does not hold yet: the "last seen" of a failure message. */
export type Note = (seen: unknown) => void;

type Falsy = false | 0 | '' | null | undefined;

const describe = (seen: unknown): string => {
  let text: string;
  if (typeof seen === 'string') text = seen;
  else if (seen instanceof Error) text = seen.message;
  else {
    try {
      text = JSON.stringify(seen) ?? String(seen);
    } catch {
      text = String(seen);
    }
  }
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
};

/**
 * An apiserver too busy to answer (no answer in time; 429, 503 or 504): a loaded machine's "not yet",
 * not the test's failure. CI lost a 20-minute play to one GET that took over 30 s.
 */
const busy = (err: unknown) => err instanceof RequestTimeoutError || isServerBusy(err);

/**
 * Calls `check` until it returns a truthy value, and returns that value. After the (scaled) limit it
 * throws a {@link WaitTimeout}: `timed out after N ms waiting for <what>; last seen: …`, the last thing
 * the check passed to `note`, else its last result. An error thrown by `check` ends the wait at once,
 * unless it says the apiserver was too busy to answer: then it is what was seen, and the check runs again.
 */
export async function waitFor<T>(
  what: string,
  check: (note: Note) => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, Falsy>> {
  const limit = scaled(options.timeoutMs ?? DEFAULT_WAIT_MS);
  let interval = options.intervalMs ?? FIRST_POLL_MS;
  const started = performance.now();
  const notes: unknown[] = [];
  const note: Note = (seen) => {
    notes.push(seen);
  };
  for (;;) {
    notes.length = 0;
    const result = await Promise.resolve()
      .then(() => check(note))
      .catch((err: unknown) => {
        if (!busy(err)) throw err;
        note(err);
        return undefined;
      });
    if (result) return result as Exclude<T, Falsy>;
    if (performance.now() - started >= limit) {
      const seen = describe(notes.length > 0 ? notes[notes.length - 1] : result);
      throw new WaitTimeout(`timed out after ${limit} ms waiting for ${what}; last seen: ${seen}`);
    }
    await sleep(interval);
    if (options.intervalMs === undefined) interval = nextPoll(interval);
  }
}

/** `promise`'s value (or its rejection) once it settles; a {@link WaitTimeout} if it has not within the limit. */
export async function within<T>(
  what: string,
  promise: Promise<T>,
  options: Pick<WaitOptions, 'timeoutMs'> = {},
): Promise<T> {
  const limit = scaled(options.timeoutMs ?? DEFAULT_WAIT_MS);
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new WaitTimeout(`timed out after ${limit} ms waiting for ${what}; last seen: not settled`)),
      limit,
    );
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}
