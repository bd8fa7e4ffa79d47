// The running template set, hot-reloaded: a change in the directory is validated against the current
// controller config and applied to new runs only when it is good; a bad change is refused (onError,
// for a log line and a metric) and the last good set stays. The same watcher as config/watch.ts.
import type { ControllerConfig } from '../api/index.js';
import { hotFiles } from '../watch/index.js';
import { defaultTemplateDir, loadTemplateSet, type TemplateSet } from './template-set.js';
import { validatedTemplates } from './template-validation.js';

export interface TemplateWatchOptions {
  /** Backstop for missed events (ConfigMap volumes update by swapping a symlink). Default 10 s. */
  pollMs?: number;
  onChange?: (set: TemplateSet) => void;
  /** A bad new template set: not applied, the last good one stays. */
  onError?: (err: Error) => void;
  /** The directory cannot be watched (fully): changes are seen at the next poll only. */
  onWatchError?: (err: Error) => void;
}

export interface TemplateSource {
  current(): TemplateSet;
  /** Re-reads the directory now; true when a new set was applied. */
  reload(): boolean;
  close(): void;
}

/**
 * Loads `dir` (throws if the first load is invalid) and keeps it current. `config` is read at each
 * reload, so templates are always proven against the config in force; files refused under one config
 * are proven again under the next, a set in force is not.
 */
export function watchTemplates(
  dir: string | undefined,
  config: () => ControllerConfig,
  opts: TemplateWatchOptions = {},
): TemplateSource {
  const root = dir ?? defaultTemplateDir();
  return hotFiles<TemplateSet>({
    paths: [root],
    context: config,
    pollMs: opts.pollMs,
    load: (_files, current) => {
      const next = loadTemplateSet(root);
      // Files the set does not read (README.md) are no change; and rendering every sample (~0.1 s)
      // is spent on new templates only.
      if (current && fingerprintOf(next) === fingerprintOf(current)) return current;
      return validatedTemplates(next, config());
    },
    onChange: (set) => opts.onChange?.(set),
    onError: opts.onError,
    onWatchError: opts.onWatchError,
  });
}

/** Two loads of unchanged files are the same set: compare the files (the presets are one of them). */
function fingerprintOf(set: TemplateSet): string {
  return JSON.stringify(set.sources);
}
