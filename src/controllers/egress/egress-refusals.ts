// The parts that put the egress proxy's refusals on runs (docs/agent-pods.md "Egress"), wired when the
// controller config has egress on at start: an index of the runs' pods by address (a handler on the
// pods' cache), a cache of the proxy's pods, and the controller reading their logs on the leader.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ControllerConfig } from '../../api/index.js';
import { proxyPodLabels } from '../../egress/index.js';
import {
  type Cache,
  Controller,
  Informer,
  type KubeClient,
  mapToSelf,
  PODS,
  type ReadOnlyStore,
} from '../../runtime/index.js';
import { AccessLogReader, type LogReader } from './access-log-reader.js';
import { PodsByAddress } from './pods-by-address.js';
import { RefusalBook } from './refusal-book.js';
import { refusalMetrics } from './refusal-metrics.js';

export interface EgressRefusalsOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: ControllerConfig;
  /** The runs' pods (their cache keeps each one's address and containers' times) and Jobs. */
  pods: Cache;
  jobs: ReadOnlyStore;
}

/** How long a log read may go without data before it is given up (the kubelet answers at once). */
const READ_IDLE_MS = 30_000;

export function egressRefusals(opts: EgressRefusalsOptions): { informer: Cache; controller: Controller } {
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
  return { informer: proxyPods, controller };
}
