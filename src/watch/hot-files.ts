// One way to keep a value built from files on disk current while the process runs (the controller
// config, the run templates, the webhook's certificate): file events and a backstop poll both lead to
// reading the files, and only new bytes lead to loading them. A load that throws refuses the files:
// the last good value stays, and the refusal is reported once, not at every poll or event that finds
// the same files again.
// The design it implements: docs/design.md §8.
import { watchPaths } from './file-events.js';
import { readSnapshot, type Snapshot } from './snapshot.js';

export type { Snapshot } from './snapshot.js';

export const DEFAULT_POLL_MS = 10_000;

export interface HotFilesOptions<T> {
  /** Files, or directories standing for every file under them (the kubelet's `..` internals aside). */
  paths: readonly string[];
  /**
   * Builds the value from the files, or throws to refuse them. It is given the value in force
   * (undefined at first) and may return that very value to say the new bytes make no difference
   * (a comment, a file it does not use): they are accepted without an onChange.
   */
  load(files: Snapshot, current: T | undefined): T;
  /**
   * A value already in force, built from these files a moment ago: the first load then does not throw
   * but is an ordinary reload, applied or refused.
   */
  initial?: T;
  /**
   * What else the value depends on, compared with Object.is: files refused under one context are
   * loaded again under another. Files in force are not: a context change alone reloads nothing.
   */
  context?: () => unknown;
  /** Backstop for missed or unavailable events. Default 10 s. */
  pollMs?: number;
  /** A new value is in force. */
  onChange?: (value: T, previous: T) => void;
  /** New files were refused; the value in force stays. Once per refused content (and context). */
  onError?: (err: Error) => void;
  /** File events are (partly) unavailable and changes wait for the poll. At most once. */
  onWatchError?: (err: Error) => void;
}

export interface HotFiles<T> {
  current(): T;
  /** Reads the files now; true when a new value was put in force. */
  reload(): boolean;
  close(): void;
}

/** Loads the files (throws if that fails and there is no `initial`) and keeps the value current. */
export function hotFiles<T>(opts: HotFilesOptions<T>): HotFiles<T> {
  let value: T;
  // Fingerprints of the files in force and of the last refused ones (with the context they were refused
  // under): a poll that finds either again has nothing to do.
  let good: string | undefined;
  let refused: { fingerprint: string; context: unknown } | undefined;
  if (opts.initial === undefined) {
    const files = readSnapshot(opts.paths);
    value = opts.load(files, undefined);
    good = files.fingerprint;
  } else value = opts.initial;

  let closed = false;
  const reload = (): boolean => {
    if (closed) return false;
    const files = readSnapshot(opts.paths);
    if (files.fingerprint === good) {
      refused = undefined;
      return false;
    }
    const context = opts.context?.();
    if (files.fingerprint === refused?.fingerprint && Object.is(context, refused.context)) return false;
    let next: T;
    try {
      next = opts.load(files, value);
    } catch (err) {
      refused = { fingerprint: files.fingerprint, context };
      opts.onError?.(err instanceof Error ? err : new Error(String(err)));
      return false;
    }
    refused = undefined;
    good = files.fingerprint;
    if (Object.is(next, value)) return false;
    const previous = value;
    value = next;
    opts.onChange?.(value, previous);
    return true;
  };
  if (opts.initial !== undefined) reload();

  // A burst of events (a volume swap is several) is one read, once the burst's tick is over.
  let pending: NodeJS.Immediate | undefined;
  const schedule = () => {
    pending ??= setImmediate(() => {
      pending = undefined;
      reload();
    });
  };
  const unwatch = watchPaths(opts.paths, schedule, (err) => opts.onWatchError?.(err));
  const timer = setInterval(reload, opts.pollMs ?? DEFAULT_POLL_MS);
  timer.unref();
  return {
    current: () => value,
    reload,
    close: () => {
      closed = true;
      clearInterval(timer);
      if (pending) clearImmediate(pending);
      unwatch();
    },
  };
}
