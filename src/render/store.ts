// The running template set, hot-reloaded: a change in the directory is validated against the current
// controller config and applied to new runs only when it is good; a bad change is refused (onError,
// for a log line and a metric) and the last good set stays. The same contract as config/watch.ts.
import { watch } from 'node:fs';
import type { ControllerConfig } from '../api/index.js';
import { loadTemplateSet, type TemplateSet } from './template-set.js';
import { loadValidatedTemplates } from './validate.js';

export interface TemplateWatchOptions {
  /** Backstop for missed events (ConfigMap volumes update by swapping a symlink). Default 10 s. */
  pollMs?: number;
  onChange?: (set: TemplateSet) => void;
  /** A bad new template set: not applied, the last good one stays. */
  onError?: (err: Error) => void;
}

export interface TemplateSource {
  current(): TemplateSet;
  /** Re-reads the directory now; true when a new set was applied. */
  reload(): boolean;
  close(): void;
}

/**
 * Loads `dir` (throws if the first load is invalid) and keeps it current. `config` is read at each
 * reload, so templates are always proven against the config in force.
 */
export function watchTemplates(
  dir: string | undefined,
  config: () => ControllerConfig,
  opts: TemplateWatchOptions = {},
): TemplateSource {
  let set = loadValidatedTemplates(dir, config());
  let fingerprint = fingerprintOf(set);
  // Why the last change was refused, under which config: polling the same files again is no news.
  let refused: { why: string; config: ControllerConfig } | undefined;
  const reload = (): boolean => {
    const current = config();
    let next: TemplateSet;
    try {
      // Loading is cheap; rendering every sample is not (~0.1 s): only a changed set is proven.
      if (fingerprintOf(loadTemplateSet(dir)) === fingerprint) {
        refused = undefined;
        return false;
      }
      next = loadValidatedTemplates(dir, current);
    } catch (err) {
      const why = (err as Error).message;
      if (why !== refused?.why || current !== refused.config) opts.onError?.(err as Error);
      refused = { why, config: current };
      return false;
    }
    refused = undefined;
    set = next;
    fingerprint = fingerprintOf(next);
    opts.onChange?.(set);
    return true;
  };

  let watcher: ReturnType<typeof watch> | undefined;
  try {
    watcher = watch(set.dir, { persistent: false, recursive: true }, () => setImmediate(reload));
  } catch {
    // Recursive watching is not available everywhere; the poll below still picks changes up.
  }
  const timer = setInterval(reload, opts.pollMs ?? 10_000);
  timer.unref();
  return {
    current: () => set,
    reload,
    close: () => {
      clearInterval(timer);
      watcher?.close();
    },
  };
}

/** Two loads of unchanged files are the same set: compare what they would render from. */
function fingerprintOf(set: TemplateSet): string {
  return JSON.stringify({ sources: set.sources, presets: set.presets });
}
