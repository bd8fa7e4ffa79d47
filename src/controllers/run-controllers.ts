// The informers and controllers that reconcile runs, wired as the manager runs them (src/app/run.ts)
// and as integration tests start them: one run informer per kind, and shared caches of the Jobs and
// ConfigMaps the orchestrator manages, each mapped to its controller owner; and one count of the
// concurrency slots over all kinds, whose freeing wakes the runs waiting for one; and the sweeper of
// the agent-shell ConfigMaps of earlier templates. With the model gateway, a cache of its ledger in the
// operator's namespace: the runs' usage and the budgets' spend. With egress by allowlist, the reader
// of the egress proxy's access log, which puts its refusals on the runs (and, with App keys, on their
// pull requests).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import {
  type CodeRun,
  type ControllerConfig,
  GROUP,
  LABELS,
  MANAGED_BY,
  RUN_KIND_NAMES,
  type RunKindName,
  type RunOf,
  runResource,
  type TaskRun,
} from '../api/index.js';
import { LedgerIndex } from '../gateway/ledger-index.js';
import { LEDGER_SELECTOR } from '../gateway/ledger-record.js';
import type { TokenStamper } from '../gateway/stamp.js';
import type { PullRequestComments, PullRequestReports, TaskMarkers } from '../github/index.js';
import { tracedReconciler } from '../observability/reconcile-spans.js';
import { tracingEnabled } from '../observability/tracing.js';
import type { TemplateSet } from '../render/index.js';
import {
  type Cache,
  CONFIGMAPS,
  Controller,
  type CoreEvent,
  EVENTS,
  Informer,
  JOBS,
  type KubeClient,
  mapToControllerOwner,
  mapToSelf,
  NAMESPACES,
  type NamespaceScope,
  PODS,
  PVCS,
  scopedCaches,
} from '../runtime/index.js';
import { agentShellSweeperController } from './agent-shell-sweeper.js';
import { ledgerSpends, runSpends, SpendIndex } from './budgets/index.js';
import { Capacity, CapacityIndex, mapToWaitingRuns, type RunCache } from './capacity/index.js';
import { egressRefusals } from './egress/index.js';
import { agentChanged, filtered, jobFinished, leftSlot, never, runChanged } from './event-filters.js';
import { jobForCache } from './job-cache.js';
import { DependentRuns, mapToDependents, phaseChanged } from './kind/dependencies.js';
import { RUN_STRATEGIES } from './kind/strategy.js';
import {
  countedTaskRunReconciler,
  registerBudgetMetrics,
  registerRunMetrics,
  runRecorder,
} from './metrics/index.js';
import { playStagesController } from './play/index.js';
import {
  FAILED_CREATE_EVENTS,
  mapPodCreationToRun,
  mapPodToRun,
  PodCreationIndex,
  PodsByJob,
  podForCache,
} from './pods/index.js';
import { AgentShellConfigMaps } from './reconcile/agent-shell-configmaps.js';
import { RunReconciler } from './reconcile/reconciler.js';
import { runReconcileTrace } from './run-reconcile-trace.js';

export interface RunControllersOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: () => ControllerConfig;
  templates: () => TemplateSet;
  /** The namespaces whose runs are reconciled, fixed here. Default: every namespace. */
  scope?: NamespaceScope;
  /** Shorthand for a scope of this one namespace. */
  namespace?: string;
  /** Reconciles of different runs at once, per kind. Default 4. */
  maxConcurrentReconciles?: number;
  /**
   * With the model gateway (config gateway; src/gateway): stamps the attempts' tokens into their Jobs,
   * and names the namespace of its ledger, which the runs' usage and the budgets are then read from.
   */
  gateway?: { tokens: TokenStamper; ledgerNamespace: string };
  /**
   * With the App keys: where the refusals of App runs are said on their pull requests (egress on), and
   * the stages of Argo Workflows (decision 0056).
   */
  pullRequestComments?: PullRequestComments & PullRequestReports;
  /** GitHub's task markers, read for the plays' task association (decision 0057). Default: unchecked. */
  taskMarkers?: TaskMarkers;
}

export interface RunControllers {
  /** Every cache, for the manager to run (and wait for). */
  informers: Cache[];
  controllers: Controller[];
}

/** The informer of one kind's runs. */
interface KindInformer<K extends RunKindName = RunKindName> extends RunCache<K> {
  runs: Cache<RunOf<K>>;
}

/** The shared caches every kind's controller reads. */
interface SharedCaches {
  jobs: Cache;
  /** The runs' pods, stripped to what status needs, and their index by Job. */
  pods: Cache;
  podsByJob: PodsByJob;
  /** The Job controller's FailedCreate Events, and their index by Job. */
  refusals: Cache<CoreEvent>;
  podCreation: PodCreationIndex;
  configMaps: Cache;
  workspaces: Cache;
  capacity: Capacity;
  /** The agent-shell ConfigMaps known to be ours (docs/design.md §2.3). */
  agentShells: AgentShellConfigMaps;
  /** What the capacity count reads, kept by the caches' events. */
  slots: CapacityIndex;
  /** What each namespace spent, for the budgets. */
  spends: SpendIndex;
  /** The gateway's ledger by attempt, with the gateway. */
  ledger?: LedgerIndex;
  kinds: readonly KindInformer[];
}

export function runControllers(opts: RunControllersOptions): RunControllers {
  const { client, logger, namespace } = opts;
  const scope = opts.scope ?? (namespace ? { namespaces: [namespace] } : { all: true });
  const caches = scopedCaches(scope, client, logger);
  const managed = `${LABELS.managedBy}=${MANAGED_BY}`;
  const jobs = caches.informer({ resource: JOBS, labelSelector: managed, transform: jobForCache });
  // Only the existence and owner of a ConfigMap or PVC are read: their data is never sent to us.
  const configMaps = caches.informer({ resource: CONFIGMAPS, labelSelector: managed, metadataOnly: true });
  const workspaces = caches.informer({ resource: PVCS, labelSelector: managed, metadataOnly: true });
  // The Jobs' pods carry the Job template's labels: the same selector finds only the runs' pods.
  const pods = caches.informer({ resource: PODS, labelSelector: managed, transform: podForCache });
  const podsByJob = new PodsByJob();
  pods.addHandler(podsByJob);
  // Only the Job controller's refusals of a pod: why a Job has none (docs/design.md §4.2).
  const refusals = caches.informer<CoreEvent>({ resource: EVENTS, fieldSelector: FAILED_CREATE_EVENTS });
  const podCreation = new PodCreationIndex();
  refusals.addHandler(podCreation);
  const kinds = RUN_KIND_NAMES.map(
    <K extends RunKindName>(kind: K): KindInformer<K> => ({
      kind,
      runs: caches.informer<RunOf<K>>({ resource: runResource(kind) }),
    }),
  );
  registerRunMetrics(opts.registry, kinds);
  // The gateway's ledger, in the operator's namespace whatever the scope of the runs: the runs' usage
  // and the budgets' spend (docs/economics.md "The model gateway").
  const ledgerRecords =
    opts.gateway &&
    new Informer({
      client,
      logger,
      resource: CONFIGMAPS,
      namespace: opts.gateway.ledgerNamespace,
      labelSelector: LEDGER_SELECTOR,
    });
  // What each namespace spent, for the budgets (docs/economics.md): the ledger's records with the
  // gateway (deleting a run gives nothing back), else the runs' status.
  // The namespaces' labels, for budgets that select namespaces by label: the scope's own cache of
  // them, else (every namespace) one of its own; a fixed list of namespaces has none (the config
  // refuses such budgets then).
  const namespaces =
    caches.namespaces ??
    ('all' in scope ? caches.informer({ resource: NAMESPACES, metadataOnly: true }) : undefined);
  const spends = new SpendIndex(
    ledgerRecords ? [ledgerSpends(ledgerRecords)] : kinds.map((k) => runSpends(k.kind, k.runs)),
    namespaces?.store,
  );
  registerBudgetMetrics(opts.registry, spends, opts.config);
  // One count of slots for every kind: the concurrency limits are over all runs.
  const slots = new CapacityIndex(jobs, kinds, opts.config);
  const capacity = new Capacity(slots);
  const shared: SharedCaches = {
    jobs,
    pods,
    podsByJob,
    refusals,
    podCreation,
    configMaps,
    workspaces,
    capacity,
    agentShells: new AgentShellConfigMaps(),
    slots,
    spends,
    ...(ledgerRecords ? { ledger: new LedgerIndex(ledgerRecords) } : {}),
    kinds,
  };
  const controllers = kinds.map((cache) => kindController(opts, shared, cache));
  controllers.push(
    agentShellSweeperController({
      client,
      configMaps: configMaps.store,
      jobs: jobs.store,
      templates: opts.templates,
      configMapEvents: configMaps,
      jobEvents: jobs,
      registry: opts.registry,
      logger,
    }),
  );
  // What the egress proxy refused, on the runs (with egress on at start: turning it on takes a restart).
  const config = opts.config();
  const egress = config.egress.enabled
    ? egressRefusals({
        client,
        registry: opts.registry,
        logger,
        config,
        pods,
        jobs: jobs.store,
        // Said on the runs' pull requests too, when the operator holds App keys (decision 0050).
        ...(opts.pullRequestComments
          ? { comments: { github: opts.pullRequestComments, config: opts.config, kinds } }
          : {}),
      })
    : undefined;
  if (egress) controllers.push(...egress.controllers);
  // The stages of Argo Workflows (CodeRuns they created): counted, traced, said on the pull request.
  const codeRuns = kinds.find((k) => k.kind === 'CodeRun')?.runs as Cache<CodeRun> | undefined;
  if (codeRuns)
    controllers.push(
      playStagesController({
        client,
        registry: opts.registry,
        logger,
        config: opts.config,
        runs: codeRuns,
        ...(opts.pullRequestComments ? { reports: opts.pullRequestComments } : {}),
        ...(opts.taskMarkers ? { markers: opts.taskMarkers } : {}),
      }),
    );
  const runInformers: Cache[] = kinds.map((c) => c.runs);
  return {
    informers: [
      ...caches.own,
      ...(namespaces && !caches.namespaces ? [namespaces] : []),
      jobs,
      pods,
      refusals,
      configMaps,
      workspaces,
      ...(ledgerRecords ? [ledgerRecords] : []),
      ...(egress ? [egress.informer] : []),
      ...runInformers,
    ],
    controllers,
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
    ...(opts.gateway && shared.ledger ? { gatewayTokens: opts.gateway.tokens, metered: shared.ledger } : {}),
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
    // A Job's pod refused (a new FailedCreate Event, or a repeat of one: its count changes).
    .watch(filtered(shared.refusals, { delete: never }), mapPodCreationToRun(jobs.store, owner));
  // A token minted, renewed or refused (recorded on its Secret) is read by the next reconcile.
  // A finished dependency wakes the runs waiting for it.
  if (strategy.dependencies) {
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
  return controller;
}
