// The notifications in runControllers (run-controllers.ts): a notifier per run kind, on the leader.
import type { Run } from '../api/index.js';
import type { Cache, Controller } from '../runtime/index.js';
import { notificationsController } from './notifications/index.js';
import type { RunControllersOptions } from './run-controllers-options.js';
import type { SharedCaches } from './shared-caches.js';

/** A notifier per kind: each reads the config's sinks at every reconcile, so none is needed at start. */
export function notificationControllers(opts: RunControllersOptions, shared: SharedCaches): Controller[] {
  return shared.kinds.map(({ kind, runs }) =>
    notificationsController({
      client: opts.client,
      registry: opts.registry,
      logger: opts.logger,
      config: opts.config,
      kind,
      runs: runs as unknown as Cache<Run>,
    }),
  );
}
