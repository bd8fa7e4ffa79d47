// A clock for unit tests that moves only when told to: queue, controller and elector timing is tested
// without waiting for it.
import type { Clock, TimerHandle } from '../../../src/runtime/clock.js';

interface PendingTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/** A clock that moves only when told to; timers fire in due order during {@link ManualClock.advance}. */
export class ManualClock implements Clock {
  private current = 0;
  private seq = 0;
  private readonly timers = new Map<number, PendingTimer>();

  /** `start`: the wall-clock time at which monotonic time is 0. */
  constructor(private readonly start = new Date(0)) {}

  nowMs(): number {
    return this.current;
  }

  now(): Date {
    return new Date(this.start.getTime() + this.current);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const seq = this.seq++;
    this.timers.set(seq, { at: this.current + Math.max(0, ms), seq, fn });
    return seq as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers.delete(handle as unknown as number);
  }

  /** Moves time forward, firing every timer that falls due on the way, earliest first. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let next: PendingTimer | undefined;
      for (const timer of this.timers.values()) {
        if (
          timer.at <= target &&
          (!next || timer.at < next.at || (timer.at === next.at && timer.seq < next.seq))
        ) {
          next = timer;
        }
      }
      if (!next) break;
      this.timers.delete(next.seq);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** Moves time forward to monotonic `ms` (see {@link ManualClock.advance}). */
  advanceTo(ms: number): void {
    if (ms < this.current) throw new Error(`ManualClock.advanceTo(${ms}): time is already ${this.current}`);
    this.advance(ms - this.current);
  }

  get pendingTimers(): number {
    return this.timers.size;
  }
}
