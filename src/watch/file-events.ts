// File system events for a set of paths, as a hint that something may have changed: the caller reads
// the files to know. Events are never the only way a change is seen (a poll backs them up), so a watch
// that cannot be set up or that fails later is noted and otherwise ignored.
import { type FSWatcher, statSync, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';

/**
 * Calls `notify` on events that may concern `paths`; returns the function that stops watching.
 * `onFailure` is called at most once, with the first failure.
 */
export function watchPaths(
  paths: readonly string[],
  notify: () => void,
  onFailure: (err: Error) => void,
): () => void {
  let failed = false;
  const fail = (err: Error) => {
    if (failed) return;
    failed = true;
    onFailure(err);
  };
  const watchers: FSWatcher[] = [];
  for (const { dir, recursive } of targets(paths)) {
    try {
      const watcher = watch(dir, { persistent: false, recursive }, notify);
      // An unhandled 'error' event would end the process; the poll carries on without this watch.
      watcher.on('error', (err) => {
        watcher.close();
        fail(err);
      });
      watchers.push(watcher);
    } catch (err) {
      // inotify limits, a missing directory, no recursive watching on this platform...
      fail(err as Error);
    }
  }
  return () => {
    for (const watcher of watchers) watcher.close();
  };
}

/**
 * A file is watched through its directory: a kubelet volume replaces its files by renaming a new
 * `..data` link over the old one, and an editor by renaming a new file, neither of which a watch on
 * the file itself would see. A directory is also watched flat, because Node's recursive watch on
 * Linux does not report that `..data` swap, and recursively for edits made in place below it.
 */
function targets(paths: readonly string[]): { dir: string; recursive: boolean }[] {
  const seen = new Map<string, { dir: string; recursive: boolean }>();
  const add = (dir: string, recursive: boolean) => seen.set(`${recursive}:${dir}`, { dir, recursive });
  for (const path of paths.map((p) => resolve(p))) {
    add(dirname(path), false);
    if (isDirectory(path)) {
      add(path, false);
      add(path, true);
    }
  }
  return [...seen.values()];
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
