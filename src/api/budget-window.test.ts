// A budget's window (budget-window.ts): the UTC calendar day, week from Monday, month; notBefore.
import t from 'tap';
import { budgetWindow, calendarWindow } from './budget-window.js';

const now = new Date('2026-11-24T10:00:00Z'); // a Tuesday

t.test('the windows: UTC calendar day, week from Monday, month; notBefore moves the start', async (t) => {
  t.same(calendarWindow('day', now), {
    start: new Date('2026-11-24T00:00:00Z'),
    resetsAt: new Date('2026-11-25T00:00:00Z'),
  });
  t.same(calendarWindow('week', now), {
    start: new Date('2026-11-23T00:00:00Z'),
    resetsAt: new Date('2026-11-30T00:00:00Z'),
  });
  t.same(calendarWindow('month', new Date('2026-12-31T23:59:59Z')), {
    start: new Date('2026-12-01T00:00:00Z'),
    resetsAt: new Date('2027-01-01T00:00:00Z'),
  });
  const budget = { name: 'b', limitUsd: '1', window: 'month' as const, notBefore: '2026-11-20T00:00:00Z' };
  t.same(budgetWindow(budget, now).start, new Date('2026-11-20T00:00:00Z'));
  t.same(
    budgetWindow({ ...budget, notBefore: '2026-10-01T00:00:00Z' }, now).start,
    new Date('2026-11-01T00:00:00Z'),
  );
});
