// The informers and controllers that reconcile runs, wired as the manager runs them (src/app/run.ts)
// and as integration tests start them: one run informer per kind, and shared caches of the Jobs and
// ConfigMaps the orchestrator manages, each mapped to its controller owner.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { type ControllerConfig, LABELS, MANAGED_BY } from '../api/index.js';
import type { TemplateSet } from '../render/index.js';
import { Controller, Informer, type KubeClient, mapToControllerOwner, mapToSelf } from '../runtime/index.js';
import { mapToDependents, phaseChanged } from './dependencies.js';
import { filtered, never, runChanged, statusChanged } from './event-filters.js';
import { CONFIGMAPS, JOBS } from './owned-objects.js';
import { codeRunKind, docsRunKind, type RunKind, taskRunKind } from './run-kind.js';
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
  /** The kinds to reconcile. Default {@link RUN_KINDS}. */
  kinds?: readonly RunKind[];
  now?: () => Date;
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
  const informers: Informer[] = [jobs, configMaps];
  const controllers = (opts.kinds ?? RUN_KINDS).map((strategy) => {
    const resource = {
      group: 'orchestrator.io',
      version: 'v1',
      plural: strategy.plural,
      kind: strategy.kind,
    };
    const runs = new Informer({ client, logger, resource, ...ns });
    informers.push(runs);
    const owner = mapToControllerOwner({ group: 'orchestrator.io', kind: strategy.kind });
    const reconciler = new RunReconciler({ ...opts, strategy, runs, jobs, configMaps });
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
    return controller;
  });
  return { informers, controllers };
}
