// The parts that put the egress proxy's refusals on runs (docs/agent-pods.md "Egress"), wired when the
// controller config has egress on at start: an index of the runs' pods by address (a handler on the
// pods' cache), a cache of the proxy's pods, and the controller reading their logs on the leader; with
// the operator's App tokens, a controller per run kind saying the refusals on the runs' pull requests.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig, RunKindName, RunOf } from '../../api/index.js';
import { proxyPodLabels } from '../../egress/index.js';
import type { PullRequestComments } from '../../github/index.js';
import {
  type Cache,
  Controller,
  Informer,
  ItemExponentialRateLimiter,
  type KubeClient,
  type KubeObject,
  mapToSelf,
  PODS,
  type ReadOnlyStore,
} from '../../runtime/index.js';
import { filtered, never } from '../event-filters.js';
import { AccessLogReader, type LogReader } from './access-log-reader.js';
import { PodsByAddress } from './pods-by-address.js';
import { RefusalBook } from './refusal-book.js';
import { RefusalCommenter } from './refusal-commenter.js';
import { refusalMetrics } from './refusal-metrics.js';

export interface EgressRefusalsOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: ControllerConfig;
  /** The runs' pods (their cache keeps each one's address and containers' times) and Jobs. */
  pods: Cache;
  jobs: ReadOnlyStore;
  /** With the operator's App tokens: where comments go, and each kind's runs. */
  comments?: {
    github: PullRequestComments;
    config: () => ControllerConfig;
    kinds: readonly { kind: RunKindName; runs: Cache<RunOf<RunKindName>> }[];
  };
}

/** How long a log read may go without data before it is given up (the kubelet answers at once). */
const READ_IDLE_MS = 30_000;

export function egressRefusals(opts: EgressRefusalsOptions): { informer: Cache; controllers: Controller[] } {
  const { client, logger, config } = opts;
  const byAddress = new PodsByAddress();
  opts.pods.addHandler(byAddress);
  const selector = Object.entries(proxyPodLabels(config.egress))
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const proxyPods = new Informer({
    client,
    logger,
    resource: PODS,
    namespace: config.egress.proxy.namespace,
    labelSelector: selector,
  });
  const readLog: LogReader = async (path, query, signal) => {
    let text = '';
    await client.stream(path, query, (chunk) => (text += chunk), {
      signal,
      accept: '*/*',
      idleTimeoutMs: READ_IDLE_MS,
    });
    return text;
  };
  const reader = new AccessLogReader({
    client,
    readLog,
    proxyPods: proxyPods.store,
    pods: byAddress,
    jobs: opts.jobs,
    book: new RefusalBook(),
    metrics: refusalMetrics(opts.registry),
  });
  const controller = new Controller({
    name: 'egress-access-log',
    reconciler: reader,
    registry: opts.registry,
    logger,
    // One reader per proxy pod at once.
    maxConcurrentReconciles: config.egress.proxy.replicas,
  }).watch(proxyPods, mapToSelf);
  return { informer: proxyPods, controllers: [controller, ...refusalCommenters(opts)] };
}

/** Runs with refusals in status: the only ones a comment can be due for. */
const refused = (run: KubeObject) =>
  (run.status as { egressRefusals?: unknown } | undefined)?.egressRefusals !== undefined;

/** A controller per kind that says its runs' refusals on their pull requests, one at a time. */
function refusalCommenters({ client, registry, logger, comments }: EgressRefusalsOptions): Controller[] {
  if (!comments) return [];
  return comments.kinds.map(({ kind, runs }) =>
    new Controller({
      name: `egress-comments-${kind.toLowerCase()}`,
      reconciler: new RefusalCommenter({
        kind,
        client,
        runs: runs.store,
        comments: comments.github,
        config: comments.config,
      }),
      registry,
      logger,
      // GitHub failing for a moment: the tries (MAX_TRIES) 5 s apart, doubling, over about a minute.
      rateLimiter: () => new ItemExponentialRateLimiter({ baseDelayMs: 5_000, maxDelayMs: 300_000 }),
    }).watch(filtered(runs, { add: refused, update: (_, run) => refused(run), delete: never }), mapToSelf),
  );
}
