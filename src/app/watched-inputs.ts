// The process's hot-reloaded inputs, wired as `orchestrator run` runs them: the controller config file,
// the run templates, the GitHub webhook's secret files and the alert receiver's token files (named by the config), each watched; an applied change is logged and counted, a refused one is
// logged as an error and counted (reload-metrics.ts) while the last good input stays in force.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ConfigSource, ControllerConfig } from '../api/index.js';
import { type ReloadMetrics, reloadMetrics, watchConfigFile } from '../config/index.js';
import { type SecretSource, watchWebhookSecrets } from '../github/index.js';
import { type TemplateSource, watchTemplates } from '../render/index.js';
import type { RunOptions } from './options.js';
import { warnProtectionsTurnedOff } from './protections-off.js';

export interface WatchedInputsOptions {
  configFile: string;
  /** The template directory. Default: the package's templates/. */
  templateDir?: string;
  registry: Registry;
  logger: Logger;
  /** Whose seed variables (SERVER_PORT, JOB_IMAGE, …) override the config file. Default none. */
  env?: NodeJS.ProcessEnv;
  /** Backstop poll of both watches. Default: theirs (10 s). */
  pollMs?: number;
}

export interface WatchedInputs {
  config: ConfigSource;
  templates: TemplateSource;
  /** The GitHub webhook's secrets (githubWebhook.secretFiles), for githubWebhookRouter. */
  githubSecrets: SecretSource;
  /** The alert receiver's tokens (alerts.tokenFiles), the same watcher's. */
  alertTokens: SecretSource;
  close(): void;
}

/** The controller config file, its reloads logged and counted. */
function watchConfig(
  opts: WatchedInputsOptions,
  metrics: ReloadMetrics,
  poll: { pollMs?: number },
): ConfigSource {
  const { configFile: file, logger } = opts;
  // The config in force before each reload, to warn of a protection the reload turns off.
  let before: ControllerConfig | undefined;
  const source = watchConfigFile(file, {
    ...poll,
    ...(opts.env ? { env: opts.env } : {}),
    onChange: (config) => {
      metrics.applied('config');
      logger.info({ file }, 'controller config reloaded');
      if (before) warnProtectionsTurnedOff(logger, before, config);
      before = config;
    },
    onError: (err) => {
      metrics.refused('config');
      logger.error({ file, err: err.message }, 'controller config rejected; the last good one stays');
    },
    onWatchError: (err) =>
      logger.warn({ file, err: err.message }, 'controller config not watched; changes are seen by polling'),
  });
  before = source.current();
  return source;
}

/** Loads both inputs (throws if either first load is invalid) and keeps them current. */
export function watchInputs(opts: WatchedInputsOptions): WatchedInputs {
  const { logger } = opts;
  const metrics = reloadMetrics(opts.registry);
  const poll = opts.pollMs === undefined ? {} : { pollMs: opts.pollMs };
  const config = watchConfig(opts, metrics, poll);
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
  const githubSecrets = watchWebhookSecrets(() => config.current().githubWebhook.secretFiles, {
    ...poll,
    onChange: (count) => logger.info({ count }, 'GitHub webhook secrets reloaded'),
    onWatchError: (err) =>
      logger.warn({ err: err.message }, 'GitHub webhook secrets not watched; changes are seen by polling'),
  });
  const alertTokens = watchWebhookSecrets(() => config.current().alerts.tokenFiles, {
    ...poll,
    onChange: (count) => logger.info({ count }, 'alert receiver tokens reloaded'),
    onWatchError: (err) =>
      logger.warn({ err: err.message }, 'alert receiver tokens not watched; changes are seen by polling'),
  });
  return {
    config,
    templates,
    githubSecrets,
    alertTokens,
    close: () => {
      alertTokens.close();
      githubSecrets.close();
      templates.close();
      config.close();
    },
  };
}

/** The inputs `orchestrator run`'s options name. */
export function watchRunInputs(opts: RunOptions, registry: Registry, logger: Logger): WatchedInputs {
  return watchInputs({
    configFile: opts.configFile,
    ...(opts.configEnv ? { env: opts.configEnv } : {}),
    ...(opts.templatesDir ? { templateDir: opts.templatesDir } : {}),
    registry,
    logger,
  });
}
