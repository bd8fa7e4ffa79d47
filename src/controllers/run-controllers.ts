// The informers and controllers that reconcile runs, wired as the manager runs them (src/app/run.ts)
// and as integration tests start them: one run informer per kind, and shared caches of the Jobs and
// ConfigMaps the orchestrator manages, each mapped to its controller owner; and one count of the
// concurrency slots over all kinds, whose freeing wakes the runs waiting for one.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ControllerConfig, GROUP, LABELS, MANAGED_BY } from '../api/index.js';
import type { TemplateSet } from '../render/index.js';
import { Controller, Informer, type KubeClient, mapToControllerOwner, mapToSelf } from '../runtime/index.js';
import { Capacity } from './capacity.js';
import { cacheSources, mapToWaitingRuns } from './capacity-cache.js';
import { mapToDependents, phaseChanged } from './dependencies.js';
import { filtered, jobFinished, leftRunning, never, runChanged, statusChanged } from './event-filters.js';
import { CONFIGMAPS, JOBS, PVCS } from './owned-objects.js';
import { codeRunKind, docsRunKind, type RunKind, runResource, taskRunKind } from './run-kind.js';
import { registerRunMetrics } from './run-metrics.js';
import { RunReconciler } from './run-reconciler.js';

export const RUN_KINDS: readonly RunKind[] = [taskRunKind, codeRunKind, docsRunKind] as RunKind[];

export interface RunControllersOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: () => ControllerConfig;
  templates: () => TemplateSet;
  /** Only this namespace. Default: every namespace. */
  namespace?: string;
  /** Reconciles of different runs at once, per kind. Default 4. */
  maxConcurrentReconciles?: number;
}

export interface RunControllers {
  informers: Informer[];
  controllers: Controller[];
}

export function runControllers(opts: RunControllersOptions): RunControllers {
  const { client, logger, namespace } = opts;
  const managed = `${LABELS.managedBy}=${MANAGED_BY}`;
  const ns = namespace ? { namespace } : {};
  const jobs = new Informer({ client, logger, resource: JOBS, labelSelector: managed, ...ns });
  const configMaps = new Informer({ client, logger, resource: CONFIGMAPS, labelSelector: managed, ...ns });
  const workspaces = new Informer({ client, logger, resource: PVCS, labelSelector: managed, ...ns });
  const caches = RUN_KINDS.map((strategy) => ({
    strategy,
    runs: new Informer({ client, logger, resource: runResource(strategy), ...ns }),
  }));
  const informers: Informer[] = [jobs, configMaps, workspaces, ...caches.map((c) => c.runs)];
  registerRunMetrics(opts.registry, caches);
  // One count of slots for every kind: the concurrency limits are over all runs.
  const capacity = new Capacity(cacheSources(jobs, caches, opts.config));
  const controllers = caches.map((cache) => {
    const { strategy, runs } = cache;
    const owner = mapToControllerOwner({ group: GROUP, kind: strategy.kind });
    const reconciler = new RunReconciler({
      ...opts,
      strategy,
      runs,
      jobs,
      configMaps,
      workspaces,
      capacity,
    });
    const controller = new Controller({
      name: strategy.kind.toLowerCase(),
      reconciler,
      registry: opts.registry,
      logger,
      maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 4,
    })
      .watch(filtered(runs, { update: runChanged }), mapToSelf)
      .watch(filtered(jobs, { add: never, update: statusChanged }), owner)
      .watch(filtered(configMaps, { add: never, update: never }), owner);
    // A finished dependency wakes the runs waiting for it.
    if (strategy.dependencies)
      controller.watch(
        filtered(runs, { add: never, update: phaseChanged, delete: never }),
        mapToDependents(() => runs.list()),
      );
    // A slot that may have come free, of any kind, wakes this kind's runs waiting for one.
    const freed = mapToWaitingRuns(cache, opts.config);
    controller.watch(filtered(jobs, { add: never, update: jobFinished }), freed);
    for (const other of caches)
      controller.watch(filtered(other.runs, { add: never, update: leftRunning }), freed);
    return controller;
  });
  return { informers, controllers };
}
