import t from 'tap';
import { keptFrom } from './ledger-record.js';

t.test('records are kept for every budget window that holds now, and two days at least', async (t) => {
  const at = (iso: string) => keptFrom(Date.parse(iso));
  t.equal(at('2026-11-26T12:00:00Z'), '2026-11-01', "the month's first day, before this week's Monday");
  // Friday 4 December: the week began on Monday 30 November, which a weekly budget still counts.
  t.equal(at('2026-12-04T12:00:00Z'), '2026-11-30', 'a week begun in the month before');
  t.equal(at('2026-12-01T00:30:00Z'), '2026-11-29', 'two days back reach further still');
  t.equal(at('2026-12-07T08:00:00Z'), '2026-12-01', 'a new week inside the month: the month');
});
