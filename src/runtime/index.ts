// The manager runtime, after controller-runtime and kube-rs: informers and their caches, a work queue,
// controllers, leader election, the manager that orders their lifecycle, probes, metrics and the small
// API client they share (docs/design.md §1.2, §9). It knows nothing of runs: any reconciler plugs in.
// - api-error.ts: what a failed API call rejects with (ApiError, RequestTimeoutError).
// - backoff.ts: one backoff formula for every retry in the runtime.
// - cache.ts: what the controllers read: one resource kept in step with the apiserver.
// - clock.ts: the one way time is injected, so timing is tested without waiting.
// - controller.ts: workers handing a queue's keys to a reconciler, between start() and stop().
// - core-resources.ts: the built-in resources the operator makes and follows, declared once.
// - event-handlers.ts: an observed object mapped to the requests it triggers, pure.
// - http-server.ts: bind, report, close: what the metrics and probe servers share.
// - informer.ts: list then watch, and never go silent.
// - job-state.ts: a Job's state as its conditions say it, read alike by the reconciler, the CLI and tests.
// - kube-client.ts: a small JSON client with a timeout on every call and abortable watches.
// - kube-credentials.ts: the kubeconfig's credentials computed once, the Authorization header refreshed.
// - kube-dispatcher.ts: undici's connection pools for the apiserver (calls, streams, a proxy-url).
// - kube-exchange.ts: one request on undici's dispatch API, its body kept, streamed or drained.
// - leader-election.ts: Lease-based leader election with client-go's semantics.
// - manager.ts: the runtime's parts and the order of their start, loss of the Lease and stop.
// - metrics-server.ts: /metrics, on its own address or through a caller's server.
// - metrics.ts: controller-runtime's metric definitions, registered once per registry.
// - namespace-scope.ts: which namespaces the caches cover, and the caches that cover them.
// - namespaced-informer.ts: one resource over a changing set of namespaces, seen as one cache.
// - object.ts: any Kubernetes object as the runtime reads it: keys, ownership, what the cache strips.
// - probes.ts: health and readiness checks that say why they fail.
// - rate-limiter.ts: how long a failed work-queue item waits.
// - reconcile-deadline.ts: the time limit of one reconcile.
// - reconciler.ts: the reconciler contract (Request, Result, Reconciler).
// - scraped-metrics.ts: metrics kept as plain numbers and read at scrape time, for hot paths.
// - store.ts: the informer's in-memory cache, and the read-only view reconcilers get.
// - workqueue-metrics.ts: the work queues' metrics, under controller-runtime's names.
// - workqueue.ts: a work queue with client-go's semantics.

export { isApiStatus } from './api-error.js';
export { type BackoffPolicy, backoffDelay } from './backoff.js';
export type { Cache } from './cache.js';
export { type Clock, realClock } from './clock.js';
export { Controller, type ControllerOptions } from './controller.js';
export { CONFIGMAPS, type CoreEvent, EVENTS, JOBS, PODS, PVCS, SECRETS } from './core-resources.js';
export {
  type EventMapper,
  type EventSource,
  mapToControllerOwner,
  mapToSelf,
  type OwnerKind,
  type ResourceEventHandler,
} from './event-handlers.js';
export type { ListenAddress } from './http-server.js';
export { boundPort, closeServer, listen } from './http-server.js';
export { Informer, type InformerOptions, type InformerStats } from './informer.js';
export { type JobCondition, type JobState, jobConditions, jobFinishTime, jobState } from './job-state.js';
export {
  ApiError,
  type ApiRequester,
  type AroundCall,
  type CallOptions,
  type DiscardingCallOptions,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isServerBusy,
  KubeClient,
  type KubeClientOptions,
  type Query,
  RequestTimeoutError,
  type ResourceType,
  resourcePath,
  type StreamOptions,
  type WatchEvent,
  type WatchOptions,
} from './kube-client.js';
export {
  type LeaderElectionOptions,
  LeaderElector,
  type Lease,
  type LeaseLock,
  type LeaseSpec,
  microTime,
} from './leader-election.js';
export { type LeaderElectionConfig, Manager, type ManagerOptions } from './manager.js';
export { memo, RECONCILE_BUCKETS } from './metrics.js';
export type { MetricsServing, ServeMetrics, ServingEndpoint } from './metrics-server.js';
export {
  NAMESPACES,
  type NamespaceScope,
  type ResourceCacheOptions,
  type ScopedCaches,
  scopedCaches,
} from './namespace-scope.js';
export { NamespacedInformer, type NamespacedInformerOptions } from './namespaced-informer.js';
export {
  groupOf,
  type KubeObject,
  LAST_APPLIED_ANNOTATION,
  type ObjectMeta,
  type OwnerReference,
  objectKey,
  ownedBy,
  stripForCache,
} from './object.js';
export { type Check, type CheckReport, HealthChecks } from './probes.js';
export {
  ItemExponentialRateLimiter,
  type ItemExponentialRateLimiterOptions,
  type RateLimiter,
} from './rate-limiter.js';
export { type ReconcileDeadline, ReconcileTimeoutError, reconcileDeadline } from './reconcile-deadline.js';
export {
  isPanic,
  isTerminalError,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  requestFromKey,
  requestKey,
  TerminalError,
} from './reconciler.js';
export {
  type HistogramCounts,
  type Sample,
  ScrapedHistogram,
  scrapedCounter,
  scrapedGauge,
} from './scraped-metrics.js';
export { type ReadOnlyStore, Store } from './store.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
