// The process's hot-reloaded inputs, wired as `orchestrator run` runs them: the controller config file
// and the run templates, each watched; an applied change is logged and counted, a refused one is
// logged as an error and counted (reload-metrics.ts) while the last good input stays in force.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { reloadMetrics } from '../config/reload-metrics.js';
import { type ConfigSource, watchConfigFile } from '../config/watch.js';
import { type TemplateSource, watchTemplates } from '../render/index.js';

export interface WatchedInputsOptions {
  configFile: string;
  /** The template directory. Default: the package's templates/. */
  templateDir?: string;
  registry: Registry;
  logger: Logger;
  /** Backstop poll of both watches. Default: theirs (10 s). */
  pollMs?: number;
}

export interface WatchedInputs {
  config: ConfigSource;
  templates: TemplateSource;
  close(): void;
}

/** Loads both inputs (throws if either first load is invalid) and keeps them current. */
export function watchInputs(opts: WatchedInputsOptions): WatchedInputs {
  const { configFile: file, logger } = opts;
  const metrics = reloadMetrics(opts.registry);
  const poll = opts.pollMs === undefined ? {} : { pollMs: opts.pollMs };
  const config = watchConfigFile(file, {
    ...poll,
    onChange: () => {
      metrics.applied('config');
      logger.info({ file }, 'controller config reloaded');
    },
    onError: (err) => {
      metrics.refused('config');
      logger.error({ file, err: err.message }, 'controller config rejected; the last good one stays');
    },
    onWatchError: (err) =>
      logger.warn({ file, err: err.message }, 'controller config not watched; changes are seen by polling'),
  });
  let templates: TemplateSource;
  try {
    templates = watchTemplates(opts.templateDir, () => config.current(), {
      ...poll,
      onChange: () => {
        metrics.applied('templates');
        logger.info('run templates reloaded');
      },
      onError: (err) => {
        metrics.refused('templates');
        logger.error({ err: err.message }, 'run templates rejected; the last good set stays');
      },
      onWatchError: (err) =>
        logger.warn({ err: err.message }, 'run templates not (fully) watched; changes are seen by polling'),
    });
  } catch (err) {
    config.close();
    throw err;
  }
  return {
    config,
    templates,
    close: () => {
      templates.close();
      config.close();
    },
  };
}
