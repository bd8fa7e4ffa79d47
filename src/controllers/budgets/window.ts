// A budget's window (docs/economics.md): the UTC calendar day, week (from Monday) or month that holds
// `now`, started no earlier than the budget's notBefore. Pure: the clock is the caller's.
import type { ControllerConfig } from '../../api/index.js';

export type Budget = NonNullable<ControllerConfig['budgets']>[number];
export type Period = NonNullable<Budget['window']>;

export interface Window {
  /** Spend from here on counts (inclusive). */
  start: Date;
  /** When the window ends and the count starts again from zero. */
  resetsAt: Date;
}

const DAY_MS = 86_400_000;

/** The calendar window of `period` around `now`, UTC. */
export function calendarWindow(period: Period, now: Date): Window {
  const y = now.getUTCFullYear();
  const m = now.getUTCMonth();
  const d = now.getUTCDate();
  if (period === 'month')
    return { start: new Date(Date.UTC(y, m, 1)), resetsAt: new Date(Date.UTC(y, m + 1, 1)) };
  const day = Date.UTC(y, m, d);
  if (period === 'day') return { start: new Date(day), resetsAt: new Date(day + DAY_MS) };
  // getUTCDay: Sunday 0 … Saturday 6; weeks start on Monday (ISO 8601).
  const monday = day - ((now.getUTCDay() + 6) % 7) * DAY_MS;
  return { start: new Date(monday), resetsAt: new Date(monday + 7 * DAY_MS) };
}

/** The budget's window at `now`: its calendar window, started at notBefore when that is later. */
export function budgetWindow(budget: Budget, now: Date): Window {
  const window = calendarWindow(budget.window ?? 'month', now);
  const notBefore = budget.notBefore ? Date.parse(budget.notBefore) : Number.NaN;
  return Number.isFinite(notBefore) && notBefore > window.start.getTime()
    ? { ...window, start: new Date(notBefore) }
    : window;
}
