// The phase, conditions and message of a run whose attempt's ConfigMap and Job exist, from its Job and
// its agent's pod: Pending until the agent container runs (with the pod's reason), Running while it
// runs, then Succeeded, or Failed with its cause — or Pending again while a retry waits for its time.
// The design it implements: docs/design.md §4 (the status table), §4.2.
import type { Condition, Phase } from '../../api/index.js';
import type { KubeObject } from '../../runtime/index.js';
import { agentState, exitCause } from '../pods/agent-pod.js';
import { jobFailure, jobState } from '../pods/job-state.js';
import type { Observation } from './status.js';

export interface Verdict {
  phase: Phase;
  configMap: [Condition['status'], string];
  job: [Condition['status'], string];
  succeeded: [Condition['status'], string];
  message: string;
}

/** Reasons of the Succeeded condition while an attempt is under way. */
export const AGENT_RUNNING = 'AgentRunning';
export const AGENT_EXITED = 'AgentExited';

const created: Pick<Verdict, 'configMap' | 'job'> = {
  configMap: ['True', 'Created'],
  job: ['True', 'Created'],
};

export function attemptVerdict(obs: Observation): Verdict {
  const at = `attempt ${obs.attempt}`;
  const say = (phase: Phase, succeeded: Verdict['succeeded'], message: string): Verdict => ({
    phase,
    ...created,
    succeeded,
    message,
  });
  const state = obs.job ? jobState(obs.job) : 'Active';
  if (state === 'Complete')
    return say('Succeeded', ['True', 'JobSucceeded'], `${at} succeeded${reported(obs)}`);
  if (state === 'Failed') {
    const why = obs.cause?.message ?? jobFailure(obs.job as KubeObject).why;
    if (obs.notRetryable)
      return say(
        'Failed',
        ['False', 'NotRetryable'],
        `${at} failed (${why}); exit code ${obs.cause?.exitCode} is not retried (retries.nonRetryableExitCodes)`,
      );
    if (obs.retry)
      return say(
        'Pending',
        ['Unknown', 'RetryScheduled'],
        `${at} failed (${why}); attempt ${obs.retry.attempt} starts at ${obs.retry.at.toISOString()}`,
      );
    return say(
      'Failed',
      ['False', 'RetriesExhausted'],
      `${at} failed (${why}); no attempts left (retries.maxRetries is ${obs.maxRetries}); ${runAgain(obs)}`,
    );
  }
  if (obs.stuck && 'failing' in obs.stuck)
    return say(
      'Pending',
      ['Unknown', obs.stuck.failing.reason],
      `${at}: ${obs.stuck.failing.message}; failing the attempt`,
    );
  const agent = obs.agent ?? agentState(undefined, obs.jobName);
  if (agent.stage === 'running')
    return say('Running', ['Unknown', AGENT_RUNNING], `${at} is running (pod ${agent.pod})`);
  if (agent.stage === 'exited')
    return say('Running', ['Unknown', AGENT_EXITED], `${at}: ${exitCause(agent)}; the Job is finishing`);
  const failsAt =
    obs.stuck && 'failsAt' in obs.stuck
      ? `; the attempt fails at ${obs.stuck.failsAt.toISOString()} unless this heals (job.stuckPodGraceSeconds)`
      : '';
  return say('Pending', ['Unknown', agent.reason], `${at}: ${agent.message}${failsAt}`);
}

/** How the user runs it again: raise the kind's attempt field, or (a kind without one) create it anew. */
const runAgain = (obs: Observation) =>
  obs.attemptField
    ? `raise spec.${obs.attemptField} to run again`
    : 'delete and create the run again to run it again';

/** What a successful agent reported, for the message: its pull request, else its summary. */
function reported(obs: Observation): string {
  const result = obs.result?.result;
  if (result?.pullRequestUrl) return `: pull request ${result.pullRequestUrl}`;
  return result?.summary ? `: ${result.summary}` : '';
}
