// The phase, condition reasons and message of each attempt state: one exhaustive switch, so a new
// state cannot be added without saying what a user sees of it. Pending until the agent container
// runs (with the pod's reason), Running while it runs, then Succeeded, or Failed with its cause — or
// Pending again while a retry waits for its time; Cancelled when spec.cancelled stopped it.
// The design it implements: docs/design.md §4 (the state table), §4.2.
import {
  type Condition,
  type Phase,
  PLATFORM_LIMITS,
  RUN_LIMITS,
  runLimitField,
  runLimitStopping,
  type StopReason,
} from '../../api/index.js';
import { budgetMessage } from '../budgets/index.js';
import { WAITING_FOR_CAPACITY, waitingMessage } from '../capacity/index.js';
import { dependencyCondition } from '../kind/dependencies.js';
import { type AgentState, agentState, CANCELLED, exitCause, jobFailure } from '../pods/index.js';
import type { AttemptState, Ending } from './world.js';

type Said = [Condition['status'], string];

export interface Verdict {
  phase: Phase;
  configMap: Said;
  job: Said;
  succeeded: Said;
  message: string;
}

/** Reasons of the Succeeded condition while an attempt is under way. */
export const AGENT_RUNNING = 'AgentRunning';
export const AGENT_EXITED = 'AgentExited';
/** The reason of an attempt whose Job finished while its ledger catches up with its last calls. */
export const METERING_USAGE = 'MeteringUsage';
/** The reason of a cancelled run's attempt while its Job stops. */
export const CANCELLING = 'Cancelling';
/** The reason of a run whose namespace's budget is spent. */
export const BUDGET_EXHAUSTED = PLATFORM_LIMITS.teamBudget.waitReason;

const pending = (reason: string): Said => ['Unknown', reason];
const CREATED: Said = ['True', 'Created'];

/** A state whose ConfigMap and Job exist, as the user sees it. */
const made = (phase: Phase, succeeded: Said, message: string): Verdict => ({
  phase,
  configMap: CREATED,
  job: CREATED,
  succeeded,
  message,
});

export function verdict(s: AttemptState): Verdict {
  const at = `attempt ${s.attempt}`;
  switch (s.state) {
    case 'blocked': {
      const deps = dependencyCondition(s.dependencies);
      const failed = s.dependencies.state === 'Failed';
      return {
        phase: failed ? 'Failed' : 'Pending',
        configMap: pending('NotCreated'),
        job: pending('NotCreated'),
        succeeded: failed ? ['False', deps.reason] : pending(deps.reason),
        message: deps.message,
      };
    }
    case 'waiting':
      return {
        phase: 'Pending',
        configMap: pending('NotCreated'),
        job: ['False', WAITING_FOR_CAPACITY],
        succeeded: pending(WAITING_FOR_CAPACITY),
        message: waitingMessage(s.refusal),
      };
    case 'overBudget':
      return {
        phase: 'Pending',
        configMap: pending('NotCreated'),
        job: ['False', BUDGET_EXHAUSTED],
        succeeded: pending(BUDGET_EXHAUSTED),
        message: budgetMessage(s.attempt, s.refusal),
      };
    case 'unrenderable':
      return {
        phase: 'Failed',
        configMap: ['False', 'RenderFailed'],
        job: pending('NotCreated'),
        succeeded: ['False', 'RenderFailed'],
        message: s.message,
      };
    case 'conflict': {
      const conflict: Said = ['False', 'NameConflict'];
      const onConfigMap = s.object === 'ConfigMap';
      return {
        phase: 'Pending',
        configMap: onConfigMap ? conflict : s.object === 'Job' ? CREATED : pending('NotCreated'),
        job: onConfigMap ? pending('NotCreated') : conflict,
        succeeded: pending('NameConflict'),
        message: s.message,
      };
    }
    case 'creating':
      // What a user sees once the objects are made (a create that fails is another state or an error).
      return agentVerdict(at, agentState(undefined, s.jobName));
    case 'active':
      if (s.stuck && 'failing' in s.stuck)
        return made(
          'Pending',
          pending(s.stuck.failing.reason),
          `${at}: ${s.stuck.failing.message}; failing the attempt`,
        );
      return agentVerdict(at, s.agent ?? agentState(undefined, s.jobName), s.stuck?.failsAt);
    case 'settling':
      throw new Error('a settling attempt has no status of its own (decide writes none)');
    case 'metering':
      return made(
        'Running',
        pending(METERING_USAGE),
        `${at}: ${s.agent.stage === 'exited' ? `${exitCause(s.agent)}; ` : ''}its Job ${s.jobName} finished, and what the model gateway metered is read before the verdict`,
      );
    case 'backoff':
      return made(
        'Pending',
        pending('RetryScheduled'),
        `${at} failed (${failureWhy(s)}); attempt ${s.retry.attempt} starts at ${s.retry.at.toISOString()}`,
      );
    case 'finished':
      return ended(at, s, s.ending);
    case 'cancelling':
      return made(
        'Running',
        pending(CANCELLING),
        `${at} is being cancelled (spec.cancelled): its Job ${s.jobName} is stopping`,
      );
    case 'cancelled': {
      const made: Said = s.job ? CREATED : pending('NotCreated');
      return {
        phase: 'Cancelled',
        configMap: made,
        job: made,
        succeeded: ['False', CANCELLED],
        message: s.job
          ? `${at} was cancelled (spec.cancelled)${reported(s)}`
          : `cancelled (spec.cancelled) before ${at} started`,
      };
    }
  }
}

/** The agent of an attempt whose objects exist, not failing. */
function agentVerdict(at: string, agent: AgentState, failsAt?: Date): Verdict {
  switch (agent.stage) {
    case 'running':
      return made('Running', pending(AGENT_RUNNING), `${at} is running (pod ${agent.pod})`);
    case 'exited':
      return made('Running', pending(AGENT_EXITED), `${at}: ${exitCause(agent)}; the Job is finishing`);
    case 'waiting': {
      const fails = failsAt
        ? `; the attempt fails at ${failsAt.toISOString()} unless this heals (job.stuckPodGraceSeconds)`
        : '';
      return made('Pending', pending(agent.reason), `${at}: ${agent.message}${fails}`);
    }
  }
}

type Finished = AttemptState & { state: 'finished' | 'backoff' };

/** Why a failed attempt failed: the cause read from its pod or recorded on its Job, else the Job's. */
const failureWhy = (s: Finished): string => s.cause?.message ?? jobFailure(s.job).why;

function ended(at: string, s: Finished, ending: Ending): Verdict {
  switch (ending.outcome) {
    case 'succeeded':
      return made('Succeeded', ['True', 'JobSucceeded'], `${at} succeeded${reported(s)}`);
    case 'notRetryable':
      return made(
        'Failed',
        ['False', 'NotRetryable'],
        `${at} failed (${failureWhy(s)}); exit code ${ending.exitCode} is not retried (retries.nonRetryableExitCodes)`,
      );
    case 'exhausted': {
      const again = ending.attemptField
        ? `raise spec.${ending.attemptField} to run again`
        : 'delete and create the run again to run it again';
      return made(
        'Failed',
        ['False', 'RetriesExhausted'],
        `${at} failed (${failureWhy(s)}); no attempts left (${ending.maxRetriesFrom ?? 'retries.maxRetries'} is ${ending.maxRetries}); ${again}`,
      );
    }
    case 'limited': {
      const again = ending.attemptField
        ? `raise spec.limits and spec.${ending.attemptField} to run it further`
        : 'create it again with higher spec.limits to run it further';
      return made(
        'Failed',
        ['False', ending.stopReason],
        `${at} stopped: ${ending.limit ? `the model gateway refused its calls: ${ending.limit}` : (s.report?.result?.summary ?? limitReached(ending.stopReason))}; not retried (another attempt would spend again): ${again}`,
      );
    }
  }
}

/** What stopped an agent that reported `reason` and no summary, by the limit of spec.limits that stops with it. */
function limitReached(reason: StopReason): string {
  const limit = runLimitStopping(reason);
  return limit ? `the agent reached ${RUN_LIMITS[limit].reached} (${runLimitField(limit)})` : reason;
}

/** What a successful agent reported, for the message: its pull request, else its summary. */
function reported(s: AttemptState): string {
  const result = s.report?.result;
  if (result?.pullRequestUrl) return `: pull request ${result.pullRequestUrl}`;
  return result?.summary ? `: ${result.summary}` : '';
}
