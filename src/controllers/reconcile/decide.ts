// Step two of a reconcile: what to do about the world read (world.ts), as data. Pure: no call, no
// clock but the `now` given, no cache. One exhaustive switch over the run's situation and one over its
// attempt's state; each case returns the actions act.ts carries out, in order, and when to look again.
// The design it implements: docs/design.md §4 (the state table).
import {
  type ControllerConfig,
  finalPhase,
  type ResolvedRun,
  type RunKindName,
  type RunOf,
  type RunStatus,
} from '../../api/index.js';
import { firstReconcileTraceOps } from '../../observability/index.js';
import type { AgentShellFiles } from '../../render/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { attemptConfigMap, attemptJob, workspacePvc } from '../agent/index.js';
import { CAPACITY_RECHECK_MS, type Waiter } from '../capacity/index.js';
import type { RunStrategy } from '../kind/strategy.js';
import type { FailureCause } from '../pods/index.js';
import { type RunEvent, resultEvents, transition } from './events.js';
import { expiresAt } from './expiry.js';
import { desiredStatus, observedAt, sameStatus } from './status.js';
import type { AttemptState, AttemptWorld, RunWorld } from './world.js';

/** How soon a run blocked by a foreign object of its name checks again. */
export const CONFLICT_RECHECK_MS = 30_000;
/** How soon a write refused for a stale read (409, a failed `test` op) is tried again. */
export const CONFLICT_REQUEUE_MS = 1_000;

/** A change of phase, attempt or Job: one log line (docs/design.md §4.6). */
export interface Transition {
  from?: string;
  to: string;
  reason?: string;
}

export type Action =
  | { do: 'addFinalizer'; also: object[] }
  | { do: 'finalize' }
  /** A finished run whose cleanup.ttlSecondsAfterFinished has passed. */
  | { do: 'deleteRun' }
  /** Take the slot the read saw free; before any await, so no other reconcile takes it meanwhile. */
  | { do: 'reserve'; claim: Waiter; job: { namespace: string; name: string } }
  | { do: 'release'; key: string }
  | { do: 'deleteJob'; job: KubeObject }
  /** Record a failed attempt's cause on its Job (and, to fail a stuck attempt, shorten its deadline). */
  | { do: 'annotateJob'; job: KubeObject; cause: FailureCause; deadline?: number }
  /** Make the attempt's objects; a name taken by someone else ends the plan (act.ts says how). */
  | {
      do: 'create';
      configMap?: KubeObject;
      workspace?: KubeObject;
      /** The agent shell's ConfigMap, to make or check before the Job (§2.3). */
      agentShell?: AgentShellFiles;
      job: KubeObject;
      /** The attempt the Job runs (its gateway token names it). */
      attempt: number;
      claim: Waiter;
    }
  | { do: 'writeStatus'; status: RunStatus; events: RunEvent[]; transition?: Transition };

export interface Plan {
  actions: Action[];
  requeueAfter?: number;
}

export interface DecideInput<K extends RunKindName> {
  strategy: RunStrategy<K>;
  config: ControllerConfig;
  now: Date;
}

export function decide<K extends RunKindName>(world: RunWorld<K>, input: DecideInput<K>): Plan {
  switch (world.is) {
    case 'gone':
      return { actions: [] };
    case 'deleting':
      return { actions: [{ do: 'finalize' }] };
    case 'new':
      // The update event of this patch brings the next reconcile, with the finalizer in place.
      return { actions: [{ do: 'addFinalizer', also: firstReconcileTraceOps(world.run) }] };
    case 'finished':
      return finishedRun(world.run, input);
    case 'attempt':
      return attemptPlan(world, input);
  }
}

/**
 * A finished run stays so, even when its Job is deleted later (the Job's TTL): only a raised spec
 * attempt runs it again. An edit of another spec field is observed (observedGeneration follows it).
 */
function finishedRun<K extends RunKindName>(run: RunOf<K>, input: DecideInput<K>): Plan {
  const generation = run.metadata?.generation;
  const actions: Action[] = [];
  if (run.status && generation !== undefined && run.status.observedGeneration !== generation)
    actions.push({ do: 'writeStatus', status: observedAt(run.status, generation), events: [] });
  return expire(run, run.status, actions, input);
}

/** A finished run: deleted once cleanup.ttlSecondsAfterFinished has passed, else looked at again then. */
function expire<K extends RunKindName>(
  run: RunOf<K>,
  status: RunStatus | undefined,
  actions: Action[],
  { config, now }: DecideInput<K>,
): Plan {
  const due = expiresAt({ ...run, status } as RunOf<K>, config, now);
  if (due === undefined) return { actions };
  const wait = due.getTime() - now.getTime();
  return wait > 0 ? { actions, requeueAfter: wait } : { actions: [...actions, { do: 'deleteRun' }] };
}

/** The plan for a run at an attempt: what is owed to earlier attempts, then the attempt's own. */
export function attemptPlan<K extends RunKindName>(world: AttemptWorld<K>, input: DecideInput<K>): Plan {
  const { run, owed, state } = world;
  const { actions, requeueAfter } = stateActions(world.resolved, state, input);
  const debts: Action[] = [
    ...(owed.superseded ? [{ do: 'deleteJob' as const, job: owed.superseded }] : []),
    ...owed.causes.map(({ job, cause }): Action => ({ do: 'annotateJob', job, cause })),
  ];
  // A reservation goes first: nothing may be awaited between the read that saw the slot free and it.
  const [first, ...rest] = actions;
  const ordered = first?.do === 'reserve' ? [first, ...debts, ...rest] : [...debts, ...actions];
  if (state.state === 'settling') return { actions: ordered, requeueAfter };
  const status = desiredStatus(run.status, run.metadata?.generation ?? 0, state, () => input.now);
  if (sameStatus(run.status, status)) return { actions: ordered, requeueAfter };
  const write = statusWrite(run.status, status, state);
  // Status-only updates bring no reconcile (event filters): a run that just finished is timed here.
  if (finalPhase(status.phase)) return expire(run, status, [...ordered, write], input);
  return { actions: [...ordered, write], ...(requeueAfter === undefined ? {} : { requeueAfter }) };
}

/** The actions of the attempt's state itself, and when to look again. */
function stateActions<K extends RunKindName>(
  resolved: ResolvedRun<K>,
  s: AttemptState,
  input: DecideInput<K>,
): Plan {
  const { strategy, config, now } = input;
  const until = (at: Date) => Math.max(0, at.getTime() - now.getTime());
  switch (s.state) {
    case 'blocked':
    case 'unrenderable':
    case 'finished':
    case 'cancelled':
      return { actions: [] };
    case 'cancelling':
      // The Job's update (its pods terminated, Failed) brings the next reconcile.
      return s.stop ? { actions: [{ do: 'annotateJob', job: s.job, ...s.stop }] } : { actions: [] };
    case 'waiting':
      // Waiting runs are woken when a slot frees; the recheck catches a limit raised by a config reload.
      return { actions: [], requeueAfter: CAPACITY_RECHECK_MS };
    case 'overBudget':
      // Looked at again when the window resets, and meanwhile for a budget the config raised.
      return { actions: [], requeueAfter: Math.min(until(s.refusal.resetsAt), CAPACITY_RECHECK_MS) };
    case 'conflict':
      // A foreign object is outside our caches: look again later in case it was removed.
      return {
        actions: s.claim ? [{ do: 'release', key: s.claim.key }] : [],
        requeueAfter: CONFLICT_RECHECK_MS,
      };
    case 'settling':
    case 'metering':
      return { actions: [], requeueAfter: s.recheckAfter };
    case 'backoff':
      return { actions: [], requeueAfter: until(s.retry.at) };
    case 'active':
      if (s.stuck && 'failing' in s.stuck)
        return {
          actions: [{ do: 'annotateJob', job: s.job, cause: s.stuck.failing, deadline: s.stuck.deadline }],
        };
      return s.stuck ? { actions: [], requeueAfter: until(s.stuck.failsAt) } : { actions: [] };
    case 'creating': {
      const made = {
        strategy,
        run: resolved.run,
        resolved,
        config,
        attempt: s.attempt,
        ...(s.agentShell ? { agentShell: s.agentShell.name } : {}),
      };
      const job = attemptJob(made);
      return {
        actions: [
          { do: 'reserve', claim: s.claim, job: { namespace: s.claim.namespace, name: s.jobName } },
          {
            do: 'create',
            ...(s.files ? { configMap: attemptConfigMap(made, s.files) } : {}),
            ...(s.createWorkspace ? { workspace: workspacePvc(made) } : {}),
            ...(s.agentShell?.ensure ? { agentShell: s.agentShell.ensure } : {}),
            job,
            attempt: s.attempt,
            claim: s.claim,
          },
        ],
      };
    }
  }
}

/** The status write, with its Events and, when phase, attempt or Job changed, its log line. */
function statusWrite(before: RunStatus | undefined, after: RunStatus, s: AttemptState): Action {
  const event = transition(before, after);
  const events = [
    ...(event ? [event] : []),
    ...resultEvents(before, after, s.report?.problem, event !== undefined),
  ];
  const moved =
    before?.phase !== after.phase || before?.attempt !== after.attempt || before?.jobName !== after.jobName;
  const reason = after.conditions?.find((c) => c.type === 'Succeeded')?.reason;
  return {
    do: 'writeStatus',
    status: after,
    events,
    ...(moved && after.phase
      ? {
          transition: {
            ...(before?.phase ? { from: before.phase } : {}),
            to: after.phase,
            ...(reason ? { reason } : {}),
          },
        }
      : {}),
  };
}
