import { watch } from 'node:fs';
import { dirname } from 'node:path';
import type { ControllerConfig } from '../api/index.js';
import { parseConfig, readConfigText } from './load.js';

export interface ConfigWatchOptions {
  /** Backstop for missed events: ConfigMap volumes update by swapping a symlink. Default 10 s. */
  pollMs?: number;
  onChange?: (config: ControllerConfig) => void;
  /** A bad new config: it is not applied, the last good one stays. */
  onError?: (err: Error) => void;
}

/** The current config, reloaded when the file changes; a bad new file never replaces a good one. */
export interface ConfigSource {
  current(): ControllerConfig;
  close(): void;
}

/**
 * Loads `path` (throws if the first load is invalid) and keeps it current. Each change is reported
 * once: polling a file that is still the same bad text does not call onError again.
 */
export function watchConfigFile(path: string, opts: ConfigWatchOptions = {}): ConfigSource {
  let text = readConfigText(path);
  let config = parseConfig(text, path);
  let lastJson = JSON.stringify(config);
  // The last refused text and why: polling the same bad file is no news (and is not parsed again).
  let refused: { why: string; text?: string } | undefined;
  const reload = () => {
    let nextText: string | undefined;
    let next: ControllerConfig;
    try {
      nextText = readConfigText(path);
      if (nextText === text) {
        refused = undefined;
        return;
      }
      if (nextText === refused?.text) return;
      next = parseConfig(nextText, path);
    } catch (err) {
      const why = (err as Error).message;
      if (why !== refused?.why) opts.onError?.(err as Error);
      refused = { why, ...(nextText === undefined ? {} : { text: nextText }) };
      return;
    }
    refused = undefined;
    text = nextText;
    // Comments and layout are not a change.
    const json = JSON.stringify(next);
    if (json === lastJson) return;
    config = next;
    lastJson = json;
    opts.onChange?.(config);
  };
  const watcher = watch(dirname(path), { persistent: false }, () => setImmediate(reload));
  const timer = setInterval(reload, opts.pollMs ?? 10_000);
  timer.unref();
  return {
    current: () => config,
    close: () => {
      clearInterval(timer);
      watcher.close();
    },
  };
}

/** A fixed config (tests, offline validation). */
export const staticConfig = (config: ControllerConfig): ConfigSource => ({
  current: () => config,
  close: () => {},
});
