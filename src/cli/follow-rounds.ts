// The loop of `logs -f`, from the cluster (logs.ts) or through the REST API (logs-api.ts): rounds until
// one ends the command, each note said on stderr once until something changes, a round that failed
// tried again after a growing pause (as the informers reconnect), and Ctrl-C's exit code, 130.
import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay } from '../runtime/index.js';
import { CliExit, type CliIO } from './io.js';

/** Reconnecting after the apiserver went away: 0.5 s doubling to 30 s, as the informers do. */
const RECONNECT = { initialMs: 500, maxMs: 30_000, jitter: 0.2 };

export interface Rounds {
  signal: AbortSignal;
  /** Says `text` on stderr, unless it was the last thing said. */
  note(text: string): void;
  /** Waits the poll interval (or `ms`); Ctrl-C ends the wait. */
  pause(ms?: number): Promise<void>;
  /** The round got somewhere: the next failure starts the backoff again, and any note is said anew. */
  progressed(): void;
}

/**
 * Runs `round` until it returns an exit code. A round's error ends the command when `failed` throws it
 * (or it is a CliExit); true from `failed` means it handled it (waited); otherwise it is noted and the
 * round runs again after a backoff.
 */
export async function followRounds(
  io: CliIO,
  pollMs: number,
  round: (rounds: Rounds) => Promise<number | undefined>,
  failed: (err: unknown, rounds: Rounds) => Promise<boolean> | boolean,
): Promise<number> {
  const interrupt = io.interrupted();
  const { signal } = interrupt;
  let lastNote = '';
  let failures = 0;
  const rounds: Rounds = {
    signal,
    note(text) {
      if (text !== lastNote) io.err(`${text}\n`);
      lastNote = text;
    },
    pause: (ms = pollMs) => sleep(ms, undefined, { signal }),
    progressed() {
      failures = 0;
      lastNote = '';
    },
  };
  try {
    for (;;) {
      try {
        const code = await round(rounds);
        if (code !== undefined) return code;
      } catch (err) {
        if (err instanceof CliExit || signal.aborted) throw err;
        if (await failed(err, rounds)) continue;
        rounds.note(`${(err as Error).message} (trying again)`);
        await sleep(backoffDelay(failures++, RECONNECT), undefined, { signal });
      }
    }
  } catch (err) {
    if (signal.aborted) return 130;
    throw err;
  } finally {
    interrupt.dispose();
  }
}
