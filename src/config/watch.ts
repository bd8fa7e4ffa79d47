// The controller config file, hot reloaded through the one file watcher (src/watch/hot-files.ts).
import type { ConfigSource, ControllerConfig } from '../api/index.js';
import { hotFiles } from '../watch/index.js';
import type { ConfigEnv } from './env-overrides.js';
import { parseConfig, readConfigText } from './load.js';

export interface ConfigWatchOptions {
  /** Backstop for missed events: ConfigMap volumes update by swapping a symlink. Default 10 s. */
  pollMs?: number;
  onChange?: (config: ControllerConfig) => void;
  /** The environment whose seed variables override the file at every load (env-overrides.ts). */
  env?: ConfigEnv;
  /** A bad new config: it is not applied, the last good one stays. */
  onError?: (err: Error) => void;
  /** The file cannot be watched: changes are seen at the next poll only. */
  onWatchError?: (err: Error) => void;
}

/**
 * Loads `path` (throws if the first load is invalid) and keeps it current. Each change is reported
 * once: polling a file that is still the same bad text does not call onError again.
 */
export function watchConfigFile(path: string, opts: ConfigWatchOptions = {}): ConfigSource {
  const source = firstRead(path, () =>
    hotFiles<ControllerConfig>({
      paths: [path],
      pollMs: opts.pollMs,
      load: (files, current) => {
        const next = parseConfig(files.text(path), path, opts.env);
        // Comments and layout are not a change: the config in force stays the same object.
        return current && JSON.stringify(next) === JSON.stringify(current) ? current : next;
      },
      onChange: (config) => opts.onChange?.(config),
      onError: opts.onError,
      onWatchError: opts.onWatchError,
    }),
  );
  return { current: source.current, close: source.close };
}

/**
 * A file that cannot be read at start is a ConfigError naming it, as from loadConfigFile; the file is
 * read again only then, to say why (the watcher reads it once when all is well).
 */
function firstRead<T>(path: string, start: () => T): T {
  try {
    return start();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== undefined) readConfigText(path);
    throw err;
  }
}
