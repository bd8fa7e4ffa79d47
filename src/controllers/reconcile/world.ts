// What one reconcile sees of a run, as data: the run's situation (gone, being deleted, new, finished, or
// at an attempt), and for a run at an attempt one discriminated state of that attempt carrying only
// what that state has. read.ts builds it from the caches (no call, no write); decide.ts turns it into
// actions and a status; act.ts carries them out. A state cannot hold an illegal combination (a Job
// together with a render error, say): each is its own member of the union.
// The design it implements: docs/design.md §4 (the state table).
import type { AttemptUsage, ResolvedRun, RunKindName, RunOf, StopReason } from '../../api/index.js';
import type { KubeObject } from '../../runtime/index.js';
import type { BudgetRefusal } from '../budgets/index.js';
import type { Refusal, Waiter } from '../capacity/index.js';
import type { DependencyVerdict } from '../kind/dependencies.js';
import type { AgentState, FailureCause, ResultRead } from '../pods/index.js';
import type { AgentShellUse } from './agent-shell-configmaps.js';
import type { NextAttempt } from './retry.js';

/** Facts of every attempt state: which attempt, its objects' names, and what the run reported. */
export interface AttemptFacts {
  attempt: number;
  configMapName: string;
  /** The uid of the attempt's ConfigMap, once the operator's is in the cache (status.configMapUid). */
  configMapUid?: string;
  jobName: string;
  /** Attempts of the current spec attempt that were retries. */
  retryCount: number;
  /** Where the run's dependencies stand (kinds with dependencies only). */
  dependencies?: DependencyVerdict;
  /** What this attempt's agent reported, else the failed attempt's before it (its session, to resume). */
  report?: ResultRead;
  /** What the finished attempts the read walked over reported they spent (status.attemptUsage). */
  usage?: AttemptUsage[];
}

/** The pod of an active attempt is stuck on an error that will not heal. */
export type Stuck =
  /** Its grace period ends then: the attempt fails unless this heals. */
  | { failsAt: Date }
  /** Its grace period is over: the attempt is failed now (its Job's deadline shortened to `deadline`). */
  | { failing: FailureCause; deadline: number };

/** How a finished attempt ended the run. */
export type Ending =
  | { outcome: 'succeeded' }
  | { outcome: 'notRetryable'; exitCode: number }
  | { outcome: 'exhausted'; maxRetries: number; maxRetriesFrom?: 'spec.maxRetries'; attemptField?: string }
  /**
   * A limit stopped the agent: not retried, since another attempt would spend again. `limit`: the
   * model gateway's refusal naming it (spec.limits.maxBudgetUsd or a team budget), when it refused.
   */
  | { outcome: 'limited'; stopReason: StopReason; attemptField?: string; limit?: string };

export type AttemptState = AttemptFacts &
  (
    | { state: 'blocked'; dependencies: DependencyVerdict & { state: 'Waiting' | 'Failed' } }
    | { state: 'waiting'; refusal: Refusal }
    /** A budget covering the run's namespace is spent (docs/economics.md): no attempt until it resets. */
    | { state: 'overBudget'; refusal: BudgetRefusal }
    /**
     * The attempt's objects are to be made: its rendered files (absent: its ConfigMap exists, ours),
     * whether its workspace volume is to be created (not in the cache), and its agent shell's ConfigMap.
     */
    | {
        state: 'creating';
        claim: Waiter;
        files?: Record<string, string>;
        createWorkspace: boolean;
        /** The agent-shell ConfigMap the files go with (absent: the attempt's own holds the agent shell). */
        agentShell?: AgentShellUse;
      }
    /** The run cannot be rendered into its files: terminal, until the spec changes. */
    | { state: 'unrenderable'; message: string }
    /** A name is another's: the ConfigMap or Job another object controls, the workspace another submitter's. */
    | {
        state: 'conflict';
        object: 'ConfigMap' | 'Job' | 'PersistentVolumeClaim';
        message: string;
        claim?: Waiter;
      }
    | { state: 'active'; job: KubeObject; agent?: AgentState; stuck?: Stuck }
    /**
     * spec.cancelled with the attempt's Job still active: it is being stopped (`stop`: the cause and
     * deadline to record on it; absent once recorded, while the Job controller terminates its pods).
     */
    | {
        state: 'cancelling';
        job: KubeObject;
        agent?: AgentState;
        stop?: { cause: FailureCause; deadline: number };
      }
    /** spec.cancelled honoured: no attempt starts again; `job`, the attempt it stopped (absent: none had started). */
    | { state: 'cancelled'; job?: KubeObject; agent?: AgentState; cause?: FailureCause }
    /** The Job finished and its pod has not caught up yet (two watches): look again then. */
    | { state: 'settling'; recheckAfter: number }
    /**
     * The Job finished and the model gateway's ledger may not show its last calls yet (a call is
     * recorded as its answer ends, and the leader's cache follows a watch): the verdict waits for it.
     */
    | { state: 'metering'; job: KubeObject; agent: AgentState; recheckAfter: number }
    /** Failed (`cause`: why, when the pod or the Job's annotation says; else the Job's condition). */
    | { state: 'backoff'; job: KubeObject; agent: AgentState; cause?: FailureCause; retry: NextAttempt }
    | { state: 'finished'; job: KubeObject; agent: AgentState; cause?: FailureCause; ending: Ending }
  );

/** @internal Exported for its unit test; no other module needs it. */
export type AttemptStateName = AttemptState['state'];

/** Writes the read found owed, whatever the attempt's state: they concern earlier attempts. */
export interface Owed {
  /** The Job of an attempt a raised spec attempt replaced, still active: deleted. */
  superseded?: KubeObject;
  /** Failed Jobs whose cause is not recorded on them yet (before their pod can go away). */
  causes: Array<{ job: KubeObject; cause: FailureCause }>;
}

export type RunWorld<K extends RunKindName = RunKindName> =
  | { is: 'gone' }
  | { is: 'deleting'; run: RunOf<K> }
  /** Without the cleanup finalizer yet: it is added first. */
  | { is: 'new'; run: RunOf<K> }
  /** Succeeded or Failed: stays so until a raised spec attempt; Cancelled: stays so. */
  | { is: 'finished'; run: RunOf<K> }
  /**
   * `run` as stored (its status is written back); `resolved`, as it will run (src/api/resolved-run.ts:
   * its objects, files and metrics are made from it).
   */
  | { is: 'attempt'; run: RunOf<K>; resolved: ResolvedRun<K>; owed: Owed; state: AttemptState };

/** A run at an attempt. */
export type AttemptWorld<K extends RunKindName = RunKindName> = RunWorld<K> & { is: 'attempt' };

/** The facts of a state, without what the state itself carries. */
export function attemptFacts(s: AttemptState): AttemptFacts {
  const { attempt, configMapName, configMapUid, jobName, retryCount, dependencies, report, usage } = s;
  return {
    attempt,
    configMapName,
    ...(configMapUid ? { configMapUid } : {}),
    jobName,
    retryCount,
    ...(dependencies ? { dependencies } : {}),
    ...(report ? { report } : {}),
    ...(usage ? { usage } : {}),
  };
}
