// The caches every kind's controller reads (runControllers, run-controllers.ts): one run informer per
// kind; the Jobs, ConfigMaps, PVCs, pods and pod refusals the orchestrator manages; what each namespace
// spent, from the model gateway's ledger or the runs' status; and one count of concurrency slots over
// every kind. Made here in the order the manager is given them.

import {
  type BudgetReports,
  LABELS,
  MANAGED_BY,
  RUN_KIND_NAMES,
  type RunKindName,
  type RunOf,
  runResource,
} from '../api/index.js';
import { LEDGER_SELECTOR, LedgerIndex } from '../gateway/index.js';
import {
  type Cache,
  CONFIGMAPS,
  type CoreEvent,
  EVENTS,
  Informer,
  JOBS,
  NAMESPACES,
  type NamespaceScope,
  PODS,
  PVCS,
  type ScopedCaches,
  scopedCaches,
} from '../runtime/index.js';
import { budgetReports, ledgerSpends, runSpends, SpendIndex } from './budgets/index.js';
import { Capacity, CapacityIndex, type RunCache } from './capacity/index.js';
import { jobForCache } from './job-cache.js';
import { registerBudgetMetrics, registerRunMetrics } from './metrics/index.js';
import { FAILED_CREATE_EVENTS, PodCreationIndex, PodsByJob, podForCache } from './pods/index.js';
import { AgentShellConfigMaps } from './reconcile/agent-shell-configmaps.js';
import type { RunControllersOptions } from './run-controllers-options.js';

/** The informer of one kind's runs. */
export interface KindInformer<K extends RunKindName = RunKindName> extends RunCache<K> {
  runs: Cache<RunOf<K>>;
}

/** The caches of what the orchestrator manages, by its label. */
interface ManagedCaches {
  jobs: Cache;
  /** The runs' pods, stripped to what status needs, and their index by Job. */
  pods: Cache;
  podsByJob: PodsByJob;
  /** The Job controller's FailedCreate Events, and their index by Job. */
  refusals: Cache<CoreEvent>;
  podCreation: PodCreationIndex;
  configMaps: Cache;
  workspaces: Cache;
}

/** The shared caches every kind's controller reads. */
export interface SharedCaches extends ManagedCaches {
  capacity: Capacity;
  /** The agent-shell ConfigMaps known to be ours (docs/design.md §2.3). */
  agentShells: AgentShellConfigMaps;
  /** What the capacity count reads, kept by the caches' events. */
  slots: CapacityIndex;
  /** What each namespace spent, for the budgets. */
  spends: SpendIndex;
  /** The budgets' standings, for the REST API. */
  budgets: BudgetReports;
  /** The gateway's ledger by attempt, with the gateway. */
  ledger?: LedgerIndex;
  kinds: readonly KindInformer[];
  /** Every cache here but the runs', in the order the manager is given them. */
  informers: Cache[];
}

function managedCaches(caches: ScopedCaches): ManagedCaches {
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
  return { jobs, pods, podsByJob, refusals, podCreation, configMaps, workspaces };
}

/** The gateway's ledger, in the operator's namespace whatever the scope of the runs. */
const ledgerInformer = (opts: RunControllersOptions): Informer | undefined =>
  opts.gateway &&
  new Informer({
    client: opts.client,
    logger: opts.logger,
    resource: CONFIGMAPS,
    namespace: opts.gateway.ledgerNamespace,
    labelSelector: LEDGER_SELECTOR,
  });

/**
 * The namespaces' labels, for budgets that select namespaces by label: the scope's own cache of them,
 * else (every namespace) one of its own; a fixed list of namespaces has none (the config refuses such
 * budgets then).
 */
const namespaceCache = (scope: NamespaceScope, caches: ScopedCaches): Cache | undefined =>
  caches.namespaces ??
  ('all' in scope ? caches.informer({ resource: NAMESPACES, metadataOnly: true }) : undefined);

export function sharedCaches(opts: RunControllersOptions): SharedCaches {
  const { client, logger, namespace } = opts;
  const scope = opts.scope ?? (namespace ? { namespaces: [namespace] } : { all: true });
  const caches = scopedCaches(scope, client, logger);
  const managed = managedCaches(caches);
  const kinds = RUN_KIND_NAMES.map(
    <K extends RunKindName>(kind: K): KindInformer<K> => ({
      kind,
      runs: caches.informer<RunOf<K>>({ resource: runResource(kind) }),
    }),
  );
  registerRunMetrics(opts.registry, kinds);
  // The runs' usage and the budgets' spend (docs/economics.md "The model gateway").
  const ledgerRecords = ledgerInformer(opts);
  const namespaces = namespaceCache(scope, caches);
  // What each namespace spent, for the budgets (docs/economics.md): the ledger's records with the
  // gateway (deleting a run gives nothing back), else the runs' status.
  const spends = new SpendIndex(
    ledgerRecords ? [ledgerSpends(ledgerRecords)] : kinds.map((k) => runSpends(k.kind, k.runs)),
    namespaces?.store,
  );
  const spendCaches: Cache[] = [
    ...(ledgerRecords ? [ledgerRecords] : kinds.map((k) => k.runs)),
    ...(namespaces ? [namespaces] : []),
  ];
  registerBudgetMetrics(opts.registry, spends, opts.config);
  // One count of slots for every kind: the concurrency limits are over all runs.
  const slots = new CapacityIndex(managed.jobs, kinds, opts.config);
  const { jobs, pods, refusals, configMaps, workspaces } = managed;
  return {
    ...managed,
    capacity: new Capacity(slots),
    agentShells: new AgentShellConfigMaps(),
    slots,
    spends,
    budgets: budgetReports(opts.config, spends, () => spendCaches.every((c) => c.hasSynced())),
    ...(ledgerRecords ? { ledger: new LedgerIndex(ledgerRecords) } : {}),
    kinds,
    informers: [
      ...caches.own,
      ...(namespaces && !caches.namespaces ? [namespaces] : []),
      ...[jobs, pods, refusals, configMaps, workspaces],
      ...(ledgerRecords ? [ledgerRecords] : []),
    ],
  };
}
