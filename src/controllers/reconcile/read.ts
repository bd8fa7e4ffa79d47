// Step one of a reconcile: the run's world as the caches show it now, in one discriminated value
// (world.ts). Synchronous and free of writes: it reads the run, its Jobs, ConfigMaps, workspace and
// pods from the caches, asks the capacity count whether a slot is free (without taking it), and renders
// the files of an attempt about to be made. Level-based: it never trusts the status alone, and walks
// forward over failed attempts whose retry is due (the status may lag behind the Jobs).
// The design it implements: docs/design.md §4.
import {
  type AttemptUsage,
  agentShellOf,
  attemptField,
  type ControllerConfig,
  cancelRequested,
  kindFacts,
  type ResolvedRun,
  type RunKindName,
  type RunOf,
  resolveRun,
  runFinished,
  specAttempt,
} from '../../api/index.js';
import type { MeteredAttempts } from '../../gateway/index.js';
import { RenderError, renderResolved, type TemplateSet, withoutAgentShell } from '../../render/index.js';
import { jobState, type KubeObject, type ReadOnlyStore } from '../../runtime/index.js';
import { budgetRefusal, type SpendIndex } from '../budgets/index.js';
import { type Capacity, waiter } from '../capacity/index.js';
import type { DependencyVerdict } from '../kind/dependencies.js';
import type { RunStrategy } from '../kind/strategy.js';
import {
  CANCELLED,
  cancelCause,
  deadlineNow,
  followActive,
  followFinished,
  type JobPods,
  jobFailure,
  type PodCreationFailures,
  type ResultRead,
  recordedCause,
  SETTLE_RECHECK_MS,
} from '../pods/index.js';
import { type AttemptObjectKind, notMadeFor, type Seal } from '../provenance/index.js';
import { type AgentShellConfigMaps, uncheckableAgentShell } from './agent-shell-configmaps.js';
import { attemptSpend, LEDGER_SETTLE_MS, ledgerSettling } from './attempt-usage.js';
import { conflictMessage } from './owned-objects.js';
import { retryAfterFailure, runRetryPolicy } from './retry.js';
import { foreignWorkspace } from './workspace-tenancy.js';
import type { AttemptFacts, AttemptState, Owed, RunWorld } from './world.js';

/** The caches and inputs a read looks at; all read only. */
export interface ReadSources<K extends RunKindName> {
  strategy: RunStrategy<K>;
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
  /** Why a Job has no pod (its FailedCreate Events). Default: none known. */
  podCreation?: PodCreationFailures;
  /** The concurrency slots, shared by the controllers of every run kind (asked, never taken, here). */
  capacity: Capacity;
  /** The current template set. */
  templates: () => TemplateSet;
  /** The agent-shell ConfigMaps known to be ours (shared by the kinds' controllers). */
  agentShells: AgentShellConfigMaps;
  /** What each namespace spent, for the config's budgets; absent: no budget is applied. */
  spends?: SpendIndex;
  /**
   * The model gateway's ledger, by attempt (with the gateway): an attempt's usage is then what the
   * gateway metered, and a call it refused for a limit ends the attempt BudgetExceeded (attempt-usage.ts).
   */
  metered?: MeteredAttempts;
  /** The operator's seal on the Jobs and ConfigMaps it makes: only those are a run's (provenance/). */
  seal: Seal;
}

/** The run `namespace/name` as the caches show it at `now`, under `config`. */
export function readRun<K extends RunKindName>(
  src: ReadSources<K>,
  namespace: string,
  name: string,
  config: ControllerConfig,
  now: Date,
): RunWorld<K> {
  const kind = src.strategy.kind;
  const run = src.runs.get(namespace, name);
  if (!run) return { is: 'gone' };
  if (run.metadata?.deletionTimestamp) return { is: 'deleting', run };
  if (!(run.metadata?.finalizers ?? []).includes(kindFacts(kind).finalizer)) return { is: 'new', run };
  if (runFinished(kind, run)) return { is: 'finished', run };
  const owed: Owed = { causes: [] };
  // The one place a reconcile asks what the run is: everything below reads the answer.
  const resolved = resolveRun(kind, run, config);
  const state = new AttemptReader(src, resolved, config, now, owed).read();
  return { is: 'attempt', run, resolved, owed, state };
}

/** The current attempt of one unfinished run, and what is owed to earlier ones. */
class AttemptReader<K extends RunKindName> {
  private readonly kind: K;
  private readonly wanted: number;
  private readonly namespace: string;
  /** spec.cancelled: nothing starts, the active attempt stops, a failed one is not retried. */
  private readonly cancel: boolean;
  /** The usage of each finished attempt the walk passed, for status.attemptUsage. */
  private readonly spent: AttemptUsage[] = [];
  /** As defaulted() returns it. */
  private readonly run: ResolvedRun<K>['run'];

  constructor(
    private readonly src: ReadSources<K>,
    private readonly resolved: ResolvedRun<K>,
    private readonly config: ControllerConfig,
    private readonly now: Date,
    private readonly owed: Owed,
  ) {
    const { run } = resolved;
    this.run = run;
    this.kind = src.strategy.kind;
    this.wanted = specAttempt(this.kind, run.spec);
    this.namespace = run.metadata?.namespace ?? '';
    this.cancel = cancelRequested(run);
  }

  read(): AttemptState {
    const { run, wanted } = this;
    const recorded = run.status?.attempt;
    // A raised spec attempt replaces the old one: its Job, if still running, goes (kept if finished, for its logs).
    if (recorded !== undefined && recorded < wanted) {
      const old = this.ownedJob(recorded);
      // One being deleted (Foreground: its pods first) is not asked again.
      if (old && jobState(old) === 'Active' && !old.metadata?.deletionTimestamp) this.owed.superseded = old;
    }
    const dependencies = this.dependencies();
    if (dependencies && dependencies.state !== 'Ready')
      return this.cancel
        ? { ...this.facts(wanted, dependencies), state: 'cancelled' }
        : { ...this.facts(wanted, dependencies), state: 'blocked', dependencies };
    const state = this.walk(Math.max(recorded ?? wanted, wanted), dependencies);
    return this.spent.length > 0 ? { ...state, usage: this.spent } : state;
  }

  /** Dependencies gate the start only: a run that has started is not stopped by them. */
  private dependencies(): DependencyVerdict | undefined {
    const { strategy } = this.src;
    if (!strategy.dependencies) return undefined;
    if (this.run.status?.attempt !== undefined) return { state: 'Ready' };
    return strategy.dependencies(this.run, () => this.src.runs.list());
  }

  private facts(attempt: number, dependencies?: DependencyVerdict, report?: ResultRead): AttemptFacts {
    const { strategy } = this.src;
    const jobName = strategy.jobName(this.run, attempt);
    const configMapName = strategy.configMapName(this.run, attempt);
    const configMap = this.made('ConfigMap', this.src.configMaps.get(this.namespace, configMapName));
    const configMapUid = configMap?.metadata?.uid;
    return {
      attempt,
      configMapName,
      ...(configMapUid ? { configMapUid } : {}),
      jobName,
      retryCount: attempt - this.wanted,
      ...(dependencies ? { dependencies } : {}),
      ...(report ? { report } : {}),
    };
  }

  /** From `attempt` on, over failed attempts whose retry is due, to the attempt that is current. */
  private walk(first: number, dependencies: DependencyVerdict | undefined): AttemptState {
    const policy = runRetryPolicy(this.config.retries, this.run.spec as { maxRetries?: number });
    let attempt = first;
    // The failed attempt's report (its session, say) is the run's until the next one reports.
    let earlier: ResultRead | undefined;
    for (;;) {
      const job = this.ownedJob(attempt);
      if (!job)
        return this.cancel
          ? { ...this.facts(attempt, dependencies, earlier), state: 'cancelled' }
          : this.toCreate(this.facts(attempt, dependencies, earlier));
      if (jobState(job) === 'Active' && this.cancel)
        return this.cancelling(job, this.facts(attempt, dependencies, earlier));
      if (jobState(job) === 'Active') {
        const grace = this.config.job.stuckPodGraceSeconds;
        const { agent, stuck } = followActive(job, this.src.pods, grace, this.now, this.src.podCreation);
        return {
          ...this.facts(attempt, dependencies, earlier),
          state: 'active',
          job,
          agent,
          ...(stuck ? { stuck } : {}),
        };
      }
      const finished = followFinished(job, this.src.pods, this.now);
      if (finished.settling)
        return { ...this.facts(attempt, dependencies), state: 'settling', recheckAfter: SETTLE_RECHECK_MS };
      const { agent, cause, unrecorded } = finished;
      if (this.src.metered && ledgerSettling(job, this.now))
        return {
          ...this.facts(attempt, dependencies),
          state: 'metering',
          job,
          agent,
          recheckAfter: LEDGER_SETTLE_MS,
        };
      if (cause && unrecorded) this.owed.causes.push({ job, cause });
      const facts = this.facts(attempt, dependencies, finished.result ?? earlier);
      const { metadata } = this.run;
      const spend = attemptSpend(
        {
          kind: this.kind,
          run: { namespace: this.namespace, name: metadata?.name ?? '', uid: metadata?.uid ?? '' },
          attempt,
          job,
          agent,
          report: finished.result,
          limits: this.run.spec?.limits,
        },
        this.src.metered,
        this.now,
      );
      if (spend.entry) this.spent.push(spend.entry);
      const { stopReason, limit } = spend;
      // A limit stopped the agent: another attempt would spend again, so none is made.
      if (stopReason) {
        const field = attemptField(this.kind);
        const ending = {
          outcome: 'limited' as const,
          stopReason,
          ...(field ? { attemptField: field } : {}),
          ...(limit ? { limit } : {}),
        };
        return { ...facts, state: 'finished', job, agent, ...(cause ? { cause } : {}), ending };
      }
      if (jobState(job) === 'Complete')
        return { ...facts, state: 'finished', job, agent, ending: { outcome: 'succeeded' } };
      const failure = cause ? { cause } : {};
      // Cancelled: whatever the failure, no retry (a stopped attempt fails by its shortened deadline).
      if (this.cancel) return { ...facts, state: 'cancelled', job, agent, ...failure };
      const code = cause?.exitCode;
      if (code !== undefined && policy.nonRetryableExitCodes.includes(code))
        return {
          ...facts,
          state: 'finished',
          job,
          agent,
          ...failure,
          ending: { outcome: 'notRetryable', exitCode: code },
        };
      const failedAt = jobFailure(job).at ?? this.now;
      const retry = retryAfterFailure(policy, this.wanted, attempt, failedAt, this.run.metadata?.uid ?? '');
      if (!retry) {
        const field = attemptField(this.kind);
        const ending = {
          outcome: 'exhausted' as const,
          maxRetries: policy.maxRetries,
          ...(policy !== this.config.retries ? { maxRetriesFrom: 'spec.maxRetries' as const } : {}),
          ...(field ? { attemptField: field } : {}),
        };
        return { ...facts, state: 'finished', job, agent, ...failure, ending };
      }
      if (retry.at.getTime() > this.now.getTime())
        return { ...facts, state: 'backoff', job, agent, ...failure, retry };
      earlier = facts.report;
      attempt = retry.attempt;
    }
  }

  /**
   * A cancelled run's active attempt: its Job's deadline shortened to now, so the Job controller
   * terminates its pods and fails it (the Job and what it reported stay, for the record and the usage).
   */
  private cancelling(job: KubeObject, facts: AttemptFacts): AttemptState {
    const { agent } = followActive(job, this.src.pods, this.config.job.stuckPodGraceSeconds, this.now);
    const recorded = recordedCause(job)?.reason === CANCELLED;
    const stop = recorded ? undefined : { cause: cancelCause(), deadline: deadlineNow(job, this.now) };
    return { ...facts, state: 'cancelling', job, agent, ...(stop ? { stop } : {}) };
  }

  /** An attempt without its Job: waiting for a slot, blocked by a foreign object, or to be made. */
  private toCreate(facts: AttemptFacts): AttemptState {
    const { src, run, config, namespace } = this;
    // Only a run that holds no slot yet waits for one: a retry keeps the slot of the failed attempt.
    const claim = waiter(this.kind, run, config);
    // A spent budget first: a run it stops should not take a slot another namespace's run could use.
    const spent = src.spends && budgetRefusal(config.budgets, src.spends, namespace, this.now);
    if (spent) return { ...facts, state: 'overBudget', refusal: spent };
    const refusal = src.capacity.refusal(claim, config.concurrency);
    if (refusal) return { ...facts, state: 'waiting', refusal };
    const foreign = (object: AttemptObjectKind, obj: KubeObject | undefined): AttemptState | undefined => {
      const why = obj && notMadeFor(obj, object, this.record(), src.seal);
      return obj && why
        ? { ...facts, state: 'conflict', object, message: conflictMessage(obj, object, this.kind, why) }
        : undefined;
    };
    const configMap = src.configMaps.get(namespace, facts.configMapName);
    // A cached Job not ours is a conflict here once the ConfigMap is there; else the create finds it.
    const conflict =
      foreign('ConfigMap', configMap) ??
      (configMap ? foreign('Job', src.jobs.get(namespace, facts.jobName)) : undefined);
    if (conflict) return conflict;
    const pvc = run.spec.workspace.pvcName;
    const workspace = pvc ? src.workspaces.get(namespace, pvc) : undefined;
    const notOurs = foreignWorkspace(this.kind, run, workspace, config);
    if (notOurs)
      return { ...facts, state: 'conflict', object: 'PersistentVolumeClaim', message: notOurs, claim };
    const createWorkspace = !!pvc && !workspace;
    const set = src.templates();
    // Known before any attempt is rendered: one rendered before a restart may use it.
    const current = src.agentShells.current(set.agentShell);
    if (configMap) {
      // Its Job mounts the agent shell its files were rendered with, whatever the templates are now
      // (named by the former label when an earlier version rendered it: then it cannot be checked).
      const uses = agentShellOf(configMap);
      if (!uses) return { ...facts, state: 'creating', claim, createWorkspace };
      const agentShell = src.agentShells.use(namespace, uses, src.configMaps.get(namespace, uses));
      if (agentShell) return { ...facts, state: 'creating', claim, createWorkspace, agentShell };
      const message = uncheckableAgentShell(facts.configMapName, uses);
      return { ...facts, state: 'conflict', object: 'ConfigMap', message };
    }
    try {
      const reported = { ...this.resolved, run: withReport(run, facts.report) };
      const rendered = renderResolved(set, reported, config, facts.attempt);
      const files = withoutAgentShell(rendered.data, current);
      const agentShell = src.agentShells.use(
        namespace,
        current.name,
        src.configMaps.get(namespace, current.name),
      );
      return {
        ...facts,
        state: 'creating',
        claim,
        files,
        createWorkspace,
        ...(agentShell ? { agentShell } : {}),
      };
    } catch (err) {
      if (!(err instanceof RenderError)) throw err;
      return { ...facts, state: 'unrenderable', message: `cannot render the run: ${err.message}` };
    }
  }

  /** Our Job of the attempt, from the cache. */
  private ownedJob(attempt: number): KubeObject | undefined {
    return this.made('Job', this.src.jobs.get(this.namespace, this.src.strategy.jobName(this.run, attempt)));
  }

  /** `obj` when the operator made it for this run (provenance/), else undefined. */
  private made(kind: AttemptObjectKind, obj: KubeObject | undefined): KubeObject | undefined {
    return obj && !notMadeFor(obj, kind, this.record(), this.src.seal) ? obj : undefined;
  }

  private record() {
    return { uid: this.run.metadata?.uid, status: this.run.status };
  }
}

/**
 * The run as the new attempt's templates see it: with what the failed attempt before it reported (its
 * session, to resume), which the status may not hold yet when the retry was due at once.
 */
function withReport<R extends RunOf<RunKindName>>(run: R, report: ResultRead | undefined): R {
  return report?.result ? { ...run, status: { ...run.status, ...report.result } } : run;
}
