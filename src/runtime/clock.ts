// The one way time is injected, so that queue, elector, cache and reconciler behaviour can be tested
// without waiting for it (the tests' clock, which moves only when told to, is
// test/harness/fakes/manual-clock.ts).

/** Whatever the clock's setTimeout returns; only ever handed back to its clearTimeout. */
export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds, for durations, deadlines and expiry; only differences are meaningful. */
  nowMs(): number;
  /** Wall-clock time, for timestamps that leave the process (a run's status and conditions). */
  now(): Date;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  nowMs: () => performance.now(),
  now: () => new Date(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
