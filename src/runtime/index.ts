// The manager runtime: informers, work queue, controllers, leader election, probes, metrics.
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
export { Informer, type InformerOptions, type InformerStats } from './informer.js';
export { type JobCondition, type JobState, jobConditions, jobFinishTime, jobState } from './job-state.js';
export {
  ApiError,
  type ApiRequester,
  type AroundCall,
  type CallOptions,
  type DiscardingCallOptions,
  isApiStatus,
  isBadRequest,
  isConflict,
  isForbidden,
  isGone,
  isInvalid,
  isNotFound,
  isUnauthorized,
  KubeClient,
  type KubeClientOptions,
  type Query,
  RequestTimeoutError,
  type ResourceType,
  resourcePath,
  type StreamOptions,
  type WatchEvent,
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
export { type ReadOnlyStore, Store } from './store.js';
export { WorkQueue, type WorkQueueOptions } from './workqueue.js';
