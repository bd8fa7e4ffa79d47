// One backoff formula for every retry in the runtime (work-queue items, informer restarts).

export interface BackoffPolicy {
  /** Delay after the first failure, in ms. */
  initialMs: number;
  /** Upper bound of every delay, in ms; jitter never pushes a delay above it. */
  maxMs: number;
  /**
   * Fraction of the nominal delay that is randomly taken off: a delay lies in
   * [nominal × (1 − jitter), nominal]. Shortening rather than lengthening keeps the cap a real cap
   * while still spreading retries that have all reached it (many replicas after one outage).
   */
  jitter: number;
}

/** Nominal delay for the n-th consecutive failure (n = 0 for the first): initial × 2ⁿ, capped. */
export function nominalDelay(failures: number, policy: Pick<BackoffPolicy, 'initialMs' | 'maxMs'>): number {
  // 2^1024 is Infinity; stopping at 64 doublings keeps the arithmetic finite and is far past any cap.
  const exponent = Math.min(Math.max(0, failures), 64);
  return Math.min(policy.maxMs, policy.initialMs * 2 ** exponent);
}

export function backoffDelay(
  failures: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const nominal = nominalDelay(failures, policy);
  return nominal * (1 - policy.jitter * random());
}
