// A word to a team as runs start, open their pull requests, end or reach a budget (docs/notifications.md):
// a controller per run kind on the leader, posting to the config's sinks.
// - events.ts: what a run's status shows it did, and which sinks want it.
// - message.ts: a notification as a webhook (signed JSON) and Slack (a line) take it.
// - delivery.ts: one bounded POST, and whether a failure is worth another try.
// - notifier.ts: the reconciler: each event sent once per sink, recorded on the run, retried with backoff.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig, Run, RunKindName } from '../../api/index.js';
import {
  type Cache,
  Controller,
  ItemExponentialRateLimiter,
  type KubeClient,
  type KubeObject,
  mapToSelf,
} from '../../runtime/index.js';
import { filtered, never } from '../event-filters.js';
import { happened } from './events.js';
import { Notifier } from './notifier.js';

export { SIGNATURE_HEADER } from './message.js';
export { MAX_TRIES } from './notifier.js';

export interface NotificationsOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: () => ControllerConfig;
  kind: RunKindName;
  runs: Cache<Run>;
}

/** What the notifier reads of a run: a change of it may be an event. */
const shown = (run: KubeObject) => JSON.stringify(happened(run as Run).map((h) => h.event));

export function notificationsController(opts: NotificationsOptions): Controller {
  const { client, registry, logger, config, kind, runs } = opts;
  return new Controller({
    name: `notifications-${kind.toLowerCase()}`,
    reconciler: new Notifier({ client, kind, runs: runs.store, config }),
    registry,
    logger,
    maxConcurrentReconciles: 2,
    // A sink failing for a while: tries 2 s apart, doubling (MAX_TRIES of them, about four minutes).
    rateLimiter: () => new ItemExponentialRateLimiter({ baseDelayMs: 2_000, maxDelayMs: 300_000 }),
  }).watch(filtered(runs, { update: (old, run) => shown(old) !== shown(run), delete: never }), mapToSelf);
}
