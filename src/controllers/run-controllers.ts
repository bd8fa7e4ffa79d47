// The informers and controllers that reconcile runs, wired as the manager runs them (src/app/controllers.ts)
// and as integration tests start them, as a list: the shared caches (shared-caches.ts), a controller
// per kind mapped to its runs' Jobs, ConfigMaps, pods and slots (below), the sweeper of the agent-shell
// ConfigMaps of earlier templates, the keeper of the attempts' logs (logs/), and the optional features, a file each: egress refusals
// (egress-wiring.ts), the plays' stages (play-wiring.ts) and the notifications (notifications-wiring.ts).
import { type BudgetReports, GROUP, type RunKindName, type TaskRun } from '../api/index.js';
import { tracedReconciler, tracingEnabled } from '../observability/index.js';
import { type Cache, Controller, mapToControllerOwner, mapToSelf } from '../runtime/index.js';
import { agentShellSweeperController } from './agent-shell-sweeper.js';
import { mapToWaitingRuns } from './capacity/index.js';
import { egressControllers } from './egress-wiring.js';
import { agentChanged, filtered, jobFinished, leftSlot, never, runChanged } from './event-filters.js';
import { DependentRuns, mapToDependents, phaseChanged } from './kind/dependencies.js';
import { RUN_STRATEGIES } from './kind/strategy.js';
import { logKeeperController } from './logs/index.js';
import { countedTaskRunReconciler, runRecorder } from './metrics/index.js';
import { notificationControllers } from './notifications-wiring.js';
import { playControllers } from './play-wiring.js';
import { mapPodCreationToRun, mapPodToRun } from './pods/index.js';
import { RunReconciler } from './reconcile/reconciler.js';
import type { RunControllersOptions } from './run-controllers-options.js';
import { runReconcileTrace } from './run-reconcile-trace.js';
import { type KindInformer, type SharedCaches, sharedCaches } from './shared-caches.js';

export type { RunControllersOptions };

export interface RunControllers {
  /** Every cache, for the manager to run (and wait for). */
  informers: Cache[];
  controllers: Controller[];
  /** The budgets' standings from these caches, for the REST API on every replica. */
  budgets: BudgetReports;
}

export function runControllers(opts: RunControllersOptions): RunControllers {
  const shared = sharedCaches(opts);
  const controllers = shared.kinds.map((cache) => kindController(opts, shared, cache));
  controllers.push(
    agentShellSweeperController({
      client: opts.client,
      configMaps: shared.configMaps.store,
      jobs: shared.jobs.store,
      templates: opts.templates,
      configMapEvents: shared.configMaps,
      jobEvents: shared.jobs,
      registry: opts.registry,
      logger: opts.logger,
    }),
  );
  controllers.push(logKeeperController(opts, shared));
  const egress = egressControllers(opts, shared);
  if (egress) controllers.push(...egress.controllers);
  controllers.push(...playControllers(opts, shared));
  controllers.push(...notificationControllers(opts, shared));
  const runInformers: Cache[] = shared.kinds.map((c) => c.runs);
  return {
    informers: [...shared.informers, ...(egress ? [egress.informer] : []), ...runInformers],
    controllers,
    budgets: shared.budgets,
  };
}

/** The controller of one kind: its typed reconciler, and what wakes it. */
function kindController<K extends RunKindName>(
  opts: RunControllersOptions,
  shared: SharedCaches,
  cache: KindInformer<K>,
): Controller {
  const { kind, runs } = cache;
  const { jobs, configMaps, workspaces } = shared;
  const strategy = RUN_STRATEGIES[kind];
  const reconciler = new RunReconciler<K>({
    client: opts.client,
    config: opts.config,
    templates: opts.templates,
    strategy,
    runs: runs.store,
    jobs: jobs.store,
    configMaps: configMaps.store,
    workspaces: workspaces.store,
    pods: shared.podsByJob,
    podCreation: shared.podCreation,
    capacity: shared.capacity,
    agentShells: shared.agentShells,
    spends: shared.spends,
    metrics: runRecorder(opts.registry, kind, opts.config()),
    seal: opts.seal,
    ...(opts.gateway && shared.ledger ? { metered: shared.ledger } : {}),
  });
  const owner = mapToControllerOwner({ group: GROUP, kind });
  const name = kind.toLowerCase();
  // The TaskRun metrics of the system this one replaces, for its dashboards.
  const counted = kind === 'TaskRun' ? countedTaskRunReconciler(reconciler, opts.registry) : reconciler;
  const controller = new Controller({
    name,
    reconciler: tracingEnabled()
      ? tracedReconciler(name, counted, runReconcileTrace(kind, runs.store))
      : counted,
    registry: opts.registry,
    logger: opts.logger,
    maxConcurrentReconciles: opts.maxConcurrentReconciles ?? 4,
    reconcileTimeoutMs: () => opts.config().reconcile.timeoutSeconds * 1000,
  })
    .watch(filtered(runs, { update: runChanged }), mapToSelf)
    .watch(filtered(jobs, { add: never, update: jobFinished }), owner)
    .watch(filtered(configMaps, { add: never, update: never }), owner)
    // The agent's pod: its first update (scheduled or not), what holds it, its start; its deletion.
    .watch(filtered(shared.pods, { add: never, update: agentChanged }), mapPodToRun(jobs.store, owner))
    // A Job's pod refused (a new or repeated FailedCreate Event); Secrets are read, never watched.
    .watch(filtered(shared.refusals, { delete: never }), mapPodCreationToRun(jobs.store, owner));
  watchDependenciesAndSlots(controller, shared, cache);
  return controller;
}

/** What wakes a kind's runs besides their own objects: a finished dependency, a slot come free. */
function watchDependenciesAndSlots(controller: Controller, shared: SharedCaches, cache: KindInformer): void {
  const { kind, runs } = cache;
  const { jobs } = shared;
  // A finished dependency wakes the runs waiting for it.
  if (RUN_STRATEGIES[kind].dependencies) {
    const dependents = new DependentRuns();
    // Registered before the watch below, so the index has the event's run when the mapper reads it.
    (runs as Cache<TaskRun>).addHandler(dependents);
    controller.watch(
      filtered(runs, { add: never, update: phaseChanged, delete: never }),
      mapToDependents((changed) => dependents.of(changed)),
    );
  }
  // A slot that may have come free, of any kind, wakes this kind's runs waiting for one.
  const freed = mapToWaitingRuns(kind, shared.slots);
  controller.watch(filtered(jobs, { add: never, update: jobFinished }), freed);
  for (const other of shared.kinds)
    controller.watch(filtered(other.runs, { add: never, update: leftSlot }), freed);
}
