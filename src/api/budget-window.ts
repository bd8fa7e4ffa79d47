// A budget's window (docs/economics.md): the UTC day, week (from Monday) or month that holds `now`,
// started no earlier than the budget's notBefore. Here, beside the config's types, because two layers
// count by it: the budgets (src/controllers/budgets) and the gateway's limits (src/gateway/limits.ts)
// sum spend over it, and the gateway's ledger (src/gateway/ledger-record.ts) keeps its records at
// least that long. Pure: the clock is the caller's.
import type { ControllerConfig } from './types.js';

export type Budget = NonNullable<ControllerConfig['budgets']>[number];
export type BudgetPeriod = NonNullable<Budget['window']>;

export interface Window {
  /** Spend from here on counts (inclusive). */
  start: Date;
  /** When the window ends and the count starts again from zero. */
  resetsAt: Date;
}

/** A UTC day in milliseconds (the epoch counts no leap seconds). */
export const DAY_MS = 86_400_000;

/** The start (ms) of the UTC day holding `ms`. */
export const utcDayStart = (ms: number): number => ms - (ms % DAY_MS);

/** The calendar window of `period` around `now`, UTC. */
export function calendarWindow(period: BudgetPeriod, now: Date): Window {
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
