// A budget's window: its calendar window (src/api/budget-window.ts), started no earlier than the
// budget's notBefore. Pure: the clock is the caller's.
import { type Budget, calendarWindow, type Window } from '../../api/index.js';

export type { Budget, Window };
export { calendarWindow };

/** The budget's window at `now`: its calendar window, started at notBefore when that is later. */
export function budgetWindow(budget: Budget, now: Date): Window {
  const window = calendarWindow(budget.window ?? 'month', now);
  const notBefore = budget.notBefore ? Date.parse(budget.notBefore) : Number.NaN;
  return Number.isFinite(notBefore) && notBefore > window.start.getTime()
    ? { ...window, start: new Date(notBefore) }
    : window;
}
