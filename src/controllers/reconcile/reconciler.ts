// The generic run reconciler: one run (of the kind its strategy names) becomes a workspace PVC, an
// immutable ConfigMap and a Job per attempt, followed into status. Level-based: every reconcile reads
// the run and its Jobs from the caches, works out the current attempt (the spec's, or a later retry
// whose backoff has passed), creates whatever of that attempt is missing, and writes the status only
// when it changed. A run's first Job waits for its workspace and a free concurrency slot (capacity.ts).
// The design it implements: docs/design.md §4.

import {
  API_VERSION,
  attemptField,
  type ControllerConfig,
  defaulted,
  kindFacts,
  type RunKindName,
  type RunOf,
  runFinished,
  runResource,
  specAttempt,
} from '../../api/index.js';
import { firstReconcileTraceOps } from '../../observability/run-trace.js';
import { RenderError, renderRun, type TemplateSet } from '../../render/index.js';
import {
  type ApiRequester,
  isApiStatus,
  type KubeObject,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type ResourceType,
  type Result,
  resourcePath,
} from '../../runtime/index.js';
import { type AttemptInput, attemptConfigMap, attemptJob, workspacePvc } from '../agent/manifests.js';
import { waitingMessage } from '../capacity/allocation.js';
import { CAPACITY_RECHECK_MS, type Capacity } from '../capacity/capacity.js';
import { waiter } from '../capacity/holder-index.js';
import type { RunRecorder } from '../metrics/run-metrics.js';
import type { ResultRead } from '../pods/agent-result.js';
import { AttemptFollower } from '../pods/follower.js';
import type { JobPods } from '../pods/job-pods.js';
import { recordEvent, resultEvents, transition } from './events.js';
import { deleteExpired, expiresAt } from './expiry.js';
import { RunFinalizer } from './finalizer.js';
import {
  CONFIGMAPS,
  createIfMissing,
  createOrAdopt,
  deleteExactly,
  JOBS,
  ownedBy,
  PVCS,
} from './owned-objects.js';
import { retryAfterFailure } from './retry.js';
import {
  desiredStatus,
  jobFailure,
  jobState,
  type Observation,
  observedAt,
  type RunStatus,
  sameStatus,
} from './status.js';
import type { RunStrategy } from './strategy.js';

/** How soon a run blocked by a foreign object of its name checks again. */
export const CONFLICT_RECHECK_MS = 30_000;

export interface RunReconcilerOptions<K extends RunKindName> {
  client: ApiRequester;
  strategy: RunStrategy<K>;
  /** The current controller config (hot-reloaded: read at every reconcile). */
  config: () => ControllerConfig;
  /** The current template set. */
  templates: () => TemplateSet;
  /** The cached runs of the kind (read only: the informer writes them). */
  runs: ReadOnlyStore<RunOf<K>>;
  jobs: ReadOnlyStore;
  configMaps: ReadOnlyStore;
  /**
   * The workspace PVCs we created (a volume is shared by many runs, so most runs find theirs here and
   * make no call).
   */
  workspaces: ReadOnlyStore;
  /** The pods of the runs' Jobs, by Job. */
  pods: JobPods;
  /** The concurrency slots, shared by the controllers of every run kind. */
  capacity: Capacity;
  /** The time. Default: the wall clock. */
  now?: () => Date;
  /** Told what the reconciles wrote and created (docs/design.md §4.5). Default: nobody. */
  metrics?: RunRecorder;
}

/**
 * The run as the new attempt's templates see it: with what the failed attempt before it reported (its
 * session, to resume), which the status may not hold yet when the retry was due at once.
 */
function withReport<R extends RunOf<RunKindName>>(run: R, observation: Observation): R {
  const report = observation.result?.result;
  return report ? { ...run, status: { ...run.status, ...report } } : run;
}

/** Reconciles the runs of one kind, K, through that kind's strategy. */
export class RunReconciler<K extends RunKindName> implements Reconciler {
  readonly resource: ResourceType;
  private readonly kind: K;
  private readonly now: () => Date;
  private readonly finalizer: RunFinalizer;
  private readonly capacity: Capacity;
  private readonly follower: AttemptFollower;
  private readonly attemptField: string | undefined;

  constructor(private readonly opts: RunReconcilerOptions<K>) {
    this.kind = opts.strategy.kind;
    this.resource = runResource(this.kind);
    this.now = opts.now ?? (() => new Date());
    this.finalizer = new RunFinalizer(opts.client, this.resource, kindFacts(this.kind).finalizer);
    this.capacity = opts.capacity;
    this.follower = new AttemptFollower(opts.client, opts.pods, this.now);
    this.attemptField = attemptField(this.kind);
  }

  async reconcile(
    { namespace, name }: Request,
    { signal, logger }: ReconcileContext,
  ): Promise<Result | undefined> {
    const { kind } = this;
    const stored = this.opts.runs.get(namespace, name);
    if (!stored) return undefined;
    const finalizers = stored.metadata?.finalizers ?? [];
    if (stored.metadata?.deletionTimestamp) {
      const outcome = await this.finalizer.finalize(stored, signal);
      return outcome === 'conflict' ? { requeue: true } : undefined;
    }
    if (!finalizers.includes(this.finalizer.name)) {
      // The update event of this patch brings the next reconcile, with the finalizer in place.
      const outcome = await this.finalizer.add(stored, signal, firstReconcileTraceOps(stored));
      return outcome === 'conflict' ? { requeue: true } : undefined;
    }
    const config = this.opts.config();
    if (runFinished(kind, stored)) return this.finishedRun(stored, config, signal, logger);
    const run = defaulted(kind, stored, config);
    const { observation, requeueAfter } = await this.observe(run, config, signal);
    // Nothing final to say yet (a finished Job whose pod has not caught up): look again soon.
    if (!observation) return { requeueAfter };
    const status = desiredStatus(stored.status, stored.metadata?.generation ?? 0, observation, this.now);
    if (!sameStatus(stored.status, status)) {
      if (!(await this.writeStatus(stored, status, signal))) return { requeue: true };
      this.opts.metrics?.statusWritten(stored, stored.status, status, config, this.now());
      const event = transition(stored.status, status);
      const events = [
        ...(event ? [event] : []),
        ...resultEvents(stored.status, status, observation.result?.problem, event !== undefined),
      ];
      const involved = { ...stored, apiVersion: API_VERSION, kind };
      for (const e of events) await recordEvent(this.opts.client, involved, e, logger, signal);
    }
    // Status-only updates bring no reconcile (event filters): a run that just finished is timed here.
    const updated: RunOf<K> = { ...stored, status };
    if (runFinished(kind, updated)) return this.expire(updated, config, signal, logger);
    return requeueAfter === undefined ? undefined : { requeueAfter };
  }

  /**
   * A finished run stays so, even when its Job is deleted later (the Job's TTL): only a raised spec
   * attempt runs it again. An edit of another spec field is observed (observedGeneration follows it)
   * and changes nothing else.
   */
  private async finishedRun(
    run: RunOf<K>,
    config: ControllerConfig,
    signal: AbortSignal,
    logger: ReconcileContext['logger'],
  ): Promise<Result | undefined> {
    const generation = run.metadata?.generation;
    if (run.status && generation !== undefined && run.status.observedGeneration !== generation) {
      if (!(await this.writeStatus(run, observedAt(run.status, generation), signal)))
        return { requeue: true };
    }
    return this.expire(run, config, signal, logger);
  }

  /** A finished run: deleted once cleanup.ttlSecondsAfterFinished has passed, else looked at again then. */
  private async expire(
    run: RunOf<K>,
    config: ControllerConfig,
    signal: AbortSignal,
    logger: ReconcileContext['logger'],
  ): Promise<Result | undefined> {
    const due = expiresAt(run, config, this.now());
    if (due === undefined) return undefined;
    const wait = due.getTime() - this.now().getTime();
    if (wait > 0) return { requeueAfter: wait };
    if (await deleteExpired(this.opts.client, this.resource, run, signal))
      logger.info({ phase: run.status?.phase }, 'finished run deleted (cleanup.ttlSecondsAfterFinished)');
    return undefined;
  }

  /** The current attempt, made to exist; and when to look again if a retry is waiting for its time. */
  private async observe(
    run: RunOf<K>,
    config: ControllerConfig,
    signal: AbortSignal,
  ): Promise<{ observation?: Observation; requeueAfter?: number }> {
    const { strategy } = this.opts;
    const wanted = specAttempt(this.kind, run.spec);
    // Dependencies gate the start only: a run that has started is not stopped by them.
    const dependencies =
      strategy.dependencies && run.status?.attempt === undefined
        ? strategy.dependencies(run, () => this.opts.runs.list())
        : strategy.dependencies && { state: 'Ready' as const };
    const recorded = run.status?.attempt;
    let attempt = Math.max(recorded ?? wanted, wanted);
    if (recorded !== undefined && recorded < wanted) await this.stopAttempt(run, recorded, signal);
    const policy = config.retries;
    const base = (a: number): Observation => ({
      ...(dependencies ? { dependencies } : {}),
      attempt: a,
      configMapName: strategy.configMapName(run, a),
      jobName: strategy.jobName(run, a),
      maxRetries: policy.maxRetries,
      retryCount: a - wanted,
      ...(this.attemptField ? { attemptField: this.attemptField } : {}),
    });
    if (dependencies && dependencies.state !== 'Ready') return { observation: base(wanted) };
    // Walk forward over failed attempts whose retry is due (the status may lag behind the Jobs).
    let earlier: ResultRead | undefined;
    for (;;) {
      const job = this.ownedJob(run, attempt);
      if (!job) break;
      if (jobState(job) === 'Active') {
        const active = await this.follower.active(job, config.job.stuckPodGraceSeconds, signal);
        const { agent, stuck, requeueAfter } = active;
        return { observation: { ...base(attempt), job, agent, ...(stuck ? { stuck } : {}) }, requeueAfter };
      }
      const finished = await this.follower.finished(job, signal);
      if (finished.settleAfter !== undefined) return { requeueAfter: finished.settleAfter };
      const { agent, cause } = finished;
      const result = finished.result ?? earlier;
      const seen: Observation = {
        ...base(attempt),
        job,
        agent,
        ...(result ? { result } : {}),
        ...(cause ? { cause } : {}),
      };
      if (jobState(job) === 'Complete') return { observation: seen };
      if (cause?.exitCode !== undefined && policy.nonRetryableExitCodes.includes(cause.exitCode))
        return { observation: { ...seen, notRetryable: true } };
      const failedAt = jobFailure(job).at ?? this.now();
      const retry = retryAfterFailure(policy, wanted, attempt, failedAt, run.metadata?.uid ?? '');
      if (!retry) return { observation: seen };
      const wait = retry.at.getTime() - this.now().getTime();
      if (wait > 0) return { observation: { ...seen, retry }, requeueAfter: wait };
      // The failed attempt's report (its session, say) is the run's until the next one reports.
      earlier = result;
      attempt = retry.attempt;
    }
    // Only a run that holds no slot yet waits for one: a retry keeps the slot of the failed attempt.
    const claimant = waiter(this.kind, run, config);
    const job = { namespace: claimant.namespace, name: strategy.jobName(run, attempt) };
    const refusal = this.capacity.claim(claimant, job, config.concurrency);
    // Waiting runs are woken when a slot frees; the recheck catches a limit raised by a config reload.
    if (refusal)
      return {
        observation: { ...base(attempt), waitingForCapacity: waitingMessage(refusal) },
        requeueAfter: CAPACITY_RECHECK_MS,
      };
    const fresh = base(attempt);
    const observation = await this.createAttempt(
      run,
      config,
      earlier ? { ...fresh, result: earlier } : fresh,
      signal,
    );
    if (!observation.job) this.capacity.release(claimant.key);
    // A foreign object is outside our caches: look again later in case it was removed.
    return observation.conflict ? { observation, requeueAfter: CONFLICT_RECHECK_MS } : { observation };
  }

  /** Our Job of the attempt, from the cache. */
  private ownedJob(run: RunOf<K>, attempt: number): KubeObject | undefined {
    const job = this.opts.jobs.get(run.metadata?.namespace ?? '', this.opts.strategy.jobName(run, attempt));
    return job && ownedBy(job, run.metadata?.uid) ? job : undefined;
  }

  /** A raised spec attempt replaces the old one: its Job, if still running, is deleted (kept if finished, for its logs). */
  private async stopAttempt(run: RunOf<K>, attempt: number, signal: AbortSignal): Promise<void> {
    const job = this.ownedJob(run, attempt);
    if (job && jobState(job) === 'Active') await deleteExactly(this.opts.client, JOBS, job, signal);
  }

  private async createAttempt(
    run: RunOf<K>,
    config: ControllerConfig,
    observation: Observation,
    signal: AbortSignal,
  ): Promise<Observation> {
    const { client, strategy } = this.opts;
    const input: AttemptInput<K> = { strategy, run, config, attempt: observation.attempt };
    const namespace = run.metadata?.namespace ?? '';
    const owner = { uid: run.metadata?.uid, kind: this.kind };
    const cachedConfigMap = this.opts.configMaps.get(namespace, observation.configMapName);
    let configMap: KubeObject | undefined;
    if (!cachedConfigMap) {
      try {
        configMap = attemptConfigMap(
          input,
          renderRun(
            this.opts.templates(),
            this.kind,
            withReport(run, observation),
            config,
            observation.attempt,
          ).data,
        );
      } catch (err) {
        if (err instanceof RenderError)
          return { ...observation, renderError: `cannot render the run: ${err.message}` };
        throw err;
      }
    }
    const madeConfigMap = await createOrAdopt(
      client,
      CONFIGMAPS,
      configMap ?? {},
      cachedConfigMap,
      owner,
      signal,
      // Its answer (the whole rendered ConfigMap) is not used: only whether it was created or conflicts.
      { answer: false },
    );
    if (madeConfigMap.created) this.opts.metrics?.created('ConfigMap');
    if (madeConfigMap.conflict)
      return { ...observation, conflict: { object: 'ConfigMap', message: madeConfigMap.conflict } };
    const pvcName = run.spec.workspace?.pvcName;
    // A PVC the cache does not show yet may still exist: createIfMissing takes its 409 as success.
    if (pvcName && !this.opts.workspaces.get(namespace, pvcName))
      await createIfMissing(client, PVCS, workspacePvc(input), signal);
    const cachedJob = this.opts.jobs.get(namespace, observation.jobName);
    const madeJob = await createOrAdopt(client, JOBS, attemptJob(input), cachedJob, owner, signal);
    if (madeJob.created) this.opts.metrics?.created('Job');
    if (madeJob.conflict) return { ...observation, conflict: { object: 'Job', message: madeJob.conflict } };
    return { ...observation, job: madeJob.object };
  }

  /** PUT on /status with the read resourceVersion: false when someone wrote in between (requeue). */
  private async writeStatus(run: RunOf<K>, status: RunStatus, signal: AbortSignal): Promise<boolean> {
    const path = `${resourcePath(this.resource, run.metadata?.namespace, run.metadata?.name)}/status`;
    try {
      await this.opts.client.request('PUT', path, { body: { ...run, status }, signal, discardAnswer: true });
      return true;
    } catch (err) {
      if (isApiStatus(err, 409)) return false;
      throw err;
    }
  }
}
