// The running template set, hot-reloaded: a change in the directory is validated against the current
// controller config and applied to new runs only when it is good; a bad change is refused (onError,
// for a log line and a metric) and the last good set stays. The same contract as config/watch.ts.
import { watch } from 'node:fs';
import type { ControllerConfig } from '../api/index.js';
import { loadTemplateSet, type TemplateSet } from './template-set.js';
import { loadValidatedTemplates, validatedTemplates } from './validate.js';

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
  // The last refused change: the same files under the same config are not proven (nor reported) again.
  let refused: { why: string; config: ControllerConfig; fingerprint?: string } | undefined;
  const reload = (): boolean => {
    const current = config();
    let next: TemplateSet;
    let nextFingerprint: string | undefined;
    try {
      next = loadTemplateSet(dir);
      nextFingerprint = fingerprintOf(next);
      if (nextFingerprint === fingerprint) {
        refused = undefined;
        return false;
      }
      // Loading is cheap; rendering every sample is not (~0.1 s): only a new set is proven.
      if (nextFingerprint === refused?.fingerprint && current === refused.config) return false;
      validatedTemplates(next, current);
    } catch (err) {
      const why = (err as Error).message;
      if (why !== refused?.why || current !== refused.config) opts.onError?.(err as Error);
      refused = { why, config: current, ...(nextFingerprint ? { fingerprint: nextFingerprint } : {}) };
      return false;
    }
    refused = undefined;
    set = next;
    fingerprint = nextFingerprint;
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

/** Two loads of unchanged files are the same set: compare the files (the presets are one of them). */
function fingerprintOf(set: TemplateSet): string {
  return JSON.stringify(set.sources);
}
