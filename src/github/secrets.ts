// The webhook's secrets, read from the files the controller config names (the keys of a mounted
// Secret) and kept current by the one file watcher (src/watch/hot-files.ts), so a rotated Secret takes
// effect without a restart. The config may name other files after a reload: the watch follows it.

import type { Snapshot } from '../watch/index.js';
import { type HotFiles, hotFiles } from '../watch/index.js';

export interface SecretSourceOptions {
  /** Backstop poll of the files. Default the watcher's (10 s). */
  pollMs?: number;
  /** The files could not be watched; changes are seen by polling. */
  onWatchError?: (err: Error) => void;
  /** The secrets changed (never given the values). */
  onChange?: (count: number) => void;
}

export interface SecretSource {
  /** The current secret first, then the previous one; empty when none is configured. */
  current(): readonly string[];
  close(): void;
}

/**
 * A missing, unreadable or empty file holds no secret, so the first load never fails: a webhook
 * without a secret answers 404 until one appears, rather than stopping the process.
 */
function secretsIn(files: Snapshot, paths: readonly string[]): string[] {
  const secrets: string[] = [];
  for (const path of paths) {
    let text: string;
    try {
      text = files.text(path);
    } catch {
      continue;
    }
    // `kubectl create secret --from-file` keeps the file's final newline; GitHub's secret has none.
    const secret = text.trimEnd();
    if (secret) secrets.push(secret);
  }
  return secrets;
}

const same = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((s, i) => s === b[i]);

/** Follows `files()` (read at each call: the config may change) and the files' contents. */
export function watchWebhookSecrets(
  files: () => readonly string[],
  opts: SecretSourceOptions = {},
): SecretSource {
  let watched: { paths: readonly string[]; hot: HotFiles<readonly string[]> } | undefined;
  const follow = (paths: readonly string[]) => {
    watched?.hot.close();
    watched = {
      paths,
      hot: hotFiles<readonly string[]>({
        paths,
        pollMs: opts.pollMs,
        load: (snapshot, current) => {
          const next = secretsIn(snapshot, paths);
          return current && same(current, next) ? current : next;
        },
        onChange: (next) => opts.onChange?.(next.length),
        onWatchError: opts.onWatchError,
      }),
    };
  };
  return {
    current: () => {
      const paths = files();
      if (paths.length === 0) {
        watched?.hot.close();
        watched = undefined;
        return [];
      }
      if (!watched || !same(watched.paths, paths)) follow(paths);
      return watched?.hot.current() ?? [];
    },
    close: () => watched?.hot.close(),
  };
}
