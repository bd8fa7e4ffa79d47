// Time is injected so that queue and elector behaviour can be tested without waiting for it (the tests'
// clock, which moves only when told to, is test/harness/manual-clock.ts).

/** Whatever the clock's setTimeout returns; only ever handed back to its clearTimeout. */
export type TimerHandle = unknown;

export interface Clock {
  /** Monotonic milliseconds; only differences are meaningful. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};
