// The logs kept after an attempt's pod (docs/logs.md): each attempt's prepare and agent logs, read as
// they end, kept in a ConfigMap the run owns and named in its status.logs.
// - bounded-log.ts: a log held within logs.keptBytes as it is read, its start and its end.
// - kept-log-object.ts: the kept text (redacted, a line for what is left out), gzipped, and its ConfigMap.
// - log-keeper.ts: the reconciler, keyed by the runs' pods, on the leader.
// - logs-due.ts: which of a pod's logs are due, and whose attempt the pod is (pure, from the caches).
import { Controller, mapToSelf } from '../../runtime/index.js';
import type { RunControllersOptions } from '../run-controllers-options.js';
import type { SharedCaches } from '../shared-caches.js';
import { LogKeeper } from './log-keeper.js';

/** Logs read at once: each holds up to logs.keptBytes, and one of an ending pod lasts until it ends. */
const READS_AT_ONCE = 4;

export function logKeeperController(opts: RunControllersOptions, shared: SharedCaches): Controller {
  const byKind = new Map(shared.kinds.map((k) => [k.kind, k.runs.store] as const));
  const keeper = new LogKeeper({
    client: opts.client,
    pods: shared.pods.store,
    jobs: shared.jobs.store,
    runs: (kind) => {
      const store = byKind.get(kind);
      if (!store) throw new Error(`no cache of ${kind} runs`);
      return store;
    },
    config: opts.config,
    seal: opts.seal,
  });
  return new Controller({
    name: 'log-keeper',
    reconciler: keeper,
    registry: opts.registry,
    logger: opts.logger,
    maxConcurrentReconciles: READS_AT_ONCE,
  }).watch(shared.pods, mapToSelf);
}
