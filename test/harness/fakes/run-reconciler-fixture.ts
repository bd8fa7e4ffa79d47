// A TaskRun reconciler wired to in-memory parts for unit tests: a FakeApi as its client, Stores as its
// caches (a test fills them as the informers would), the real capacity count over those stores
// (cacheSources), the default controller config (or one given) and the package's templates.
import pino from 'pino';
import { Registry } from 'prom-client';
import { type ControllerConfig, kindFacts, LABELS, type TaskRun } from '../../../src/api/index.js';
import { runPath } from '../../../src/cli/kinds.js';
import { loadDefaultConfig } from '../../../src/config/load.js';
import { Capacity } from '../../../src/controllers/capacity/capacity.js';
import { CapacityIndex } from '../../../src/controllers/capacity/holder-index.js';
import { objectSeal } from '../../../src/controllers/index.js';
import { RUN_STRATEGIES } from '../../../src/controllers/kind/strategy.js';
import { runRecorder } from '../../../src/controllers/metrics/run-metrics.js';
import { PodsByJob } from '../../../src/controllers/pods/job-pods.js';
import { AgentShellConfigMaps } from '../../../src/controllers/reconcile/agent-shell-configmaps.js';
import { RunReconciler } from '../../../src/controllers/reconcile/reconciler.js';
import { loadTemplateSet, type TemplateSet } from '../../../src/render/index.js';
import {
  type Clock,
  CONFIGMAPS,
  JOBS,
  type KubeObject,
  PVCS,
  type ResourceEventHandler,
  type Result,
  resourcePath,
  Store,
} from '../../../src/runtime/index.js';
import { FakeApi } from './fake-api.js';

export const NAMESPACE = 'ns';
export const RUN_UID = 'run-uid';
/** The seal of the fixture's operator: a test seals with it what the operator made before. */
export const FIXTURE_SEAL = objectSeal(Buffer.from('fixture-seal-key'));
export const FINALIZER = kindFacts('TaskRun').finalizer;
export const jobsPath = resourcePath(JOBS, NAMESPACE);
export const configMapsPath = resourcePath(CONFIGMAPS, NAMESPACE);
export const pvcsPath = resourcePath(PVCS, NAMESPACE);
export const runsPath = runPath('TaskRun', NAMESPACE);

const templates = loadTemplateSet();

/** A TaskRun of service payments, task `taskId`, as the cache holds it after admission (finalizer in place). */
export function taskRun(
  name = 'pay-7',
  taskId = 7,
  change: {
    spec?: Partial<TaskRun['spec']>;
    metadata?: TaskRun['metadata'];
    status?: TaskRun['status'];
  } = {},
): TaskRun {
  return {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: name === 'pay-7' ? RUN_UID : `uid-of-${name}`,
      generation: 1,
      resourceVersion: '5',
      creationTimestamp: '2026-11-22T09:00:00Z',
      finalizers: [FINALIZER],
      ...change.metadata,
    },
    spec: {
      taskId,
      serviceName: 'payments',
      repository: { url: 'https://github.com/acme/payments.git' },
      markdownFiles: [{ filename: 'task.md', content: '# Task\nDo it.\n' }],
      ...change.spec,
    },
    ...(change.status ? { status: change.status } : {}),
  };
}

/** The Job and ConfigMap names of an attempt of `run` (default: pay-7), as the reconciler computes them. */
export const attemptJobName = (attempt = 1, run: TaskRun = taskRun()) =>
  RUN_STRATEGIES.TaskRun.jobName(run, attempt);
export const attemptConfigMapName = (attempt = 1, run: TaskRun = taskRun()) =>
  RUN_STRATEGIES.TaskRun.configMapName(run, attempt);

/**
 * A Job of `run`'s attempt as the Job cache shows it: made by the operator for the run (controlled by
 * it, with the fixture operator's seal), in `state`, its pods mounting `workspace` (the PVC of the
 * fixture's runs by default).
 */
export function ownedJob(
  name: string,
  owner: { name: string; uid: string },
  state: 'Active' | 'Complete' | 'Failed' = 'Active',
  failedAt = '2026-11-22T09:30:00Z',
  workspace = 'workspace-payments',
): KubeObject {
  const conditions =
    state === 'Active'
      ? []
      : [
          {
            type: state,
            status: 'True',
            reason: 'Test',
            message: `${state} in the test`,
            lastTransitionTime: failedAt,
          },
        ];
  const job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name,
      namespace: NAMESPACE,
      uid: `uid-of-job-${name}`,
      labels: { [LABELS.service]: 'payments', [LABELS.run]: owner.name },
      ownerReferences: [
        {
          apiVersion: 'orchestrator.io/v1',
          kind: 'TaskRun',
          name: owner.name,
          uid: owner.uid,
          controller: true,
        },
      ],
    },
    spec: {
      template: {
        spec: { volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: workspace } }] },
      },
    },
    status: { conditions },
  };
  return FIXTURE_SEAL.stamp(job, 'Job', owner.uid);
}

/** A store that tells its handlers what changes, as an informer's cache does (for the capacity index). */
export class EventedStore<T extends KubeObject = KubeObject> extends Store<T> {
  private readonly handlers = new Set<ResourceEventHandler<T>>();
  readonly store = this;

  addHandler(handler: ResourceEventHandler<T>): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  override set(obj: T): T | undefined {
    const previous = super.set(obj);
    for (const h of this.handlers) previous ? h.onUpdate?.(previous, obj) : h.onAdd?.(obj);
    return previous;
  }

  override delete(namespace: string, name: string): T | undefined {
    const previous = super.delete(namespace, name);
    if (previous) for (const h of this.handlers) h.onDelete?.(previous);
    return previous;
  }
}

export interface Fixture {
  api: FakeApi;
  runs: Store<TaskRun>;
  jobs: Store;
  configMaps: Store;
  workspaces: Store;
  /** The pods by Job, as the pod informer's events keep them. */
  pods: PodsByJob;
  capacity: Capacity;
  /** The agent-shell ConfigMaps the reconciler knows to be ours. */
  agentShells: AgentShellConfigMaps;
  /** The package's templates, which the reconciler renders with. */
  templates: TemplateSet;
  /** Where the reconciler's run metrics go. */
  registry: Registry;
  /** Puts the run in the run cache and in the API (where its status is written). */
  addRun(run: TaskRun): void;
  /** Puts a Job in the Job cache and in the API. */
  addJob(job: KubeObject): void;
  reconcile(name?: string): Promise<Result | undefined>;
}

export function fixture(
  opts: { config?: ControllerConfig; clock?: Clock; logger?: pino.Logger } = {},
): Fixture {
  const config = opts.config ?? loadDefaultConfig();
  const api = new FakeApi();
  const runs = new EventedStore<TaskRun>();
  const jobs = new EventedStore();
  const configMaps = new Store();
  const workspaces = new Store();
  const pods = new PodsByJob();
  const capacity = new Capacity(new CapacityIndex(jobs, [{ kind: 'TaskRun', runs }], () => config));
  const agentShells = new AgentShellConfigMaps();
  const caches = { runs, jobs, configMaps, workspaces, pods, capacity, agentShells };
  const registry = new Registry();
  const reconciler = new RunReconciler<'TaskRun'>({
    metrics: runRecorder(registry, 'TaskRun', config),
    client: api,
    strategy: RUN_STRATEGIES.TaskRun,
    config: () => config,
    templates: () => templates,
    seal: FIXTURE_SEAL,
    ...caches,
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  const logger = opts.logger ?? pino({ level: 'silent' });
  return {
    api,
    ...caches,
    templates,
    registry,
    addRun(run) {
      runs.set(run);
      api.seed(runsPath, run);
    },
    addJob(job) {
      jobs.set(job);
      api.seed(jobsPath, job);
    },
    reconcile: async (name = 'pay-7') =>
      (await reconciler.reconcile(
        { namespace: NAMESPACE, name },
        { signal: new AbortController().signal, logger, retries: 0 },
      )) ?? undefined,
  };
}

/** What the reconciler changed through the API, in order (`METHOD path`; Events left out). */
export const writes = (f: Fixture): string[] =>
  f.api.calls
    .filter((c) => c.method !== 'GET' && !c.path.endsWith('/events'))
    .map((c) => `${c.method} ${c.path}`);

/** The status of the reconciler's last write of pay-7's status, or an empty one. */
export const statusWritten = (f: Fixture): NonNullable<TaskRun['status']> =>
  (f.api.made('PUT', `${runsPath}/pay-7/status`).at(-1)?.body as TaskRun | undefined)?.status ?? {};

/** A condition of a status, by type. */
export const condition = (status: NonNullable<TaskRun['status']>, type: string) =>
  status.conditions?.find((c) => c.type === type);
