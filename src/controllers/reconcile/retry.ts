// When a failed attempt is retried: pure arithmetic on what the cluster shows (the spec's attempt, the
// current attempt, when its Job failed), so that every reconcile of the same state gets the same answer
// and a restart does not reset or shorten a backoff.
// The design it implements: docs/design.md §5.1.
import { createHash } from 'node:crypto';
import { backoffDelay } from '../../runtime/index.js';

/** Longest wait between two attempts, whatever the base and the count. */
export const MAX_BACKOFF_SECONDS = 3600;
/** Share of each delay that jitter may take off (0.2: the delay is 80–100% of nominal). */
export const JITTER = 0.2;

export interface RetryPolicy {
  /** Retries after the first attempt of one spec attempt before the run fails (config retries.maxRetries). */
  maxRetries: number;
  /** Delay before the first retry; doubles per failed attempt (config retries.backoffSeconds). */
  backoffSeconds: number;
}

/** The policy for one run: the config's, with the run's own cap (CodeRun spec.maxRetries) when it has one. */
export function runRetryPolicy<P extends RetryPolicy>(config: P, spec: { maxRetries?: number }): P {
  return spec.maxRetries === undefined ? config : { ...config, maxRetries: spec.maxRetries };
}

export interface NextAttempt {
  attempt: number;
  /** Not before this time. */
  at: Date;
}

/** A stable number in [0, 1) for the run and attempt: jitter that does not change between reconciles. */
export function stableRandom(seed: string): number {
  return createHash('sha256').update(seed).digest().readUInt32BE(0) / 2 ** 32;
}

/**
 * Delay in ms before the attempt after `failures` failed ones (1 → base, 2 → 2×base, …), jittered: the
 * runtime's backoff formula, with a jitter that is a function of the seed.
 */
export function retryDelayMs(policy: RetryPolicy, failures: number, seed: string): number {
  const shape = {
    initialMs: policy.backoffSeconds * 1000,
    maxMs: MAX_BACKOFF_SECONDS * 1000,
    jitter: JITTER,
  };
  return Math.round(backoffDelay(failures - 1, shape, () => stableRandom(seed)));
}

/**
 * The attempt after `attempt` failed at `failedAt`, or undefined when the spec's attempts are used up:
 * counting from the spec's attempt, at most `maxRetries` retries are made (1 + maxRetries attempts), as
 * the config's docs and the seeds say (docs/decisions/0030-max-retries-counts-retries.md).
 */
export function retryAfterFailure(
  policy: RetryPolicy,
  specAttempt: number,
  attempt: number,
  failedAt: Date,
  seed: string,
): NextAttempt | undefined {
  const failures = attempt - specAttempt + 1;
  if (failures > policy.maxRetries) return undefined;
  const delay = retryDelayMs(policy, failures, `${seed}/${attempt}`);
  return { attempt: attempt + 1, at: new Date(failedAt.getTime() + delay) };
}
