// Egress by allowlist in runControllers (run-controllers.ts): what the egress proxy refused, put on the
// runs, with egress on at start (turning it on takes a restart).
import type { Cache, Controller } from '../runtime/index.js';
import { egressRefusals } from './egress/index.js';
import type { RunControllersOptions } from './run-controllers-options.js';
import type { SharedCaches } from './shared-caches.js';

export function egressControllers(
  opts: RunControllersOptions,
  shared: SharedCaches,
): { informer: Cache; controllers: Controller[] } | undefined {
  const config = opts.config();
  if (!config.egress.enabled) return undefined;
  return egressRefusals({
    client: opts.client,
    registry: opts.registry,
    logger: opts.logger,
    config,
    pods: shared.pods,
    jobs: shared.jobs.store,
    // Said on the runs' pull requests too, when the operator holds App keys (decision 0050).
    ...(opts.pullRequestComments
      ? { comments: { github: opts.pullRequestComments, config: opts.config, kinds: shared.kinds } }
      : {}),
  });
}
