// The time limit of one reconcile (controller-runtime's ReconciliationTimeout): the reconcile's signal
// aborts when the controller stops or when the limit passes, whichever comes first. The reconcile is
// not abandoned: a worker still waits for it to return (one reconcile per key at a time), so the limit
// works through the calls that honour the signal (every KubeClient request does).
import type { Clock } from './clock.js';

/** The reason a reconcile's signal carries when its time limit passed. */
export class ReconcileTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`reconcile did not finish within ${timeoutMs} ms (its time limit); aborted`);
    this.name = 'ReconcileTimeoutError';
  }
}

export interface ReconcileDeadline {
  /** Aborted when the parent is, or with a ReconcileTimeoutError when the limit passes. */
  signal: AbortSignal;
  /** Whether the limit passed (not the parent's abort). */
  timedOut(): boolean;
  /** Stops the timer and lets go of the parent; call when the reconcile returned. */
  dispose(): void;
}

/**
 * A signal for one reconcile, under `parent` and limited to `timeoutMs` (none when not a positive
 * number). One listener and one timer per reconcile, both released by dispose: AbortSignal.any would
 * leave each reconcile's signal hanging off the long-lived parent on Node 20.
 */
export function reconcileDeadline(
  parent: AbortSignal,
  timeoutMs: number | undefined,
  clock: Clock,
): ReconcileDeadline {
  if (!timeoutMs || timeoutMs <= 0 || !Number.isFinite(timeoutMs))
    return { signal: parent, timedOut: () => false, dispose: () => {} };
  const own = new AbortController();
  let timedOut = false;
  const onParentAbort = () => own.abort(parent.reason);
  if (parent.aborted) onParentAbort();
  else parent.addEventListener('abort', onParentAbort, { once: true });
  const timer = clock.setTimeout(() => {
    if (own.signal.aborted) return;
    timedOut = true;
    own.abort(new ReconcileTimeoutError(timeoutMs));
  }, timeoutMs);
  return {
    signal: own.signal,
    timedOut: () => timedOut,
    dispose: () => {
      clock.clearTimeout(timer);
      parent.removeEventListener('abort', onParentAbort);
    },
  };
}
