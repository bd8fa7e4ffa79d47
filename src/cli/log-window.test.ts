// The window of `logs --tail/--since`: the first read's query, timestamps taken off, and after a cut
// stream a read from the last line's second that prints nothing twice, trimmed fractions compared as
// times.
import t from 'tap';
import { WindowedLog } from './log-window.js';

t.test(
  'the first read asks for the window with timestamps; the lines are printed without them',
  async (t) => {
    const w = new WindowedLog({ tailLines: 2, sinceSeconds: 60 });
    t.same(w.nextQuery(), { timestamps: true, tailLines: 2, sinceSeconds: 60 });
    t.equal(w.take('2026-11-29T02:00:00.5Z one\n2026-11-29T02:00:01Z tw'), 'one\n', 'a line at a time');
    t.equal(w.take('o\n'), 'two\n');
    t.equal(w.take('2026-11-29T02:00:02.1Z no newline'), '');
    t.equal(w.end(), 'no newline', 'the last line, as it ended');
    t.equal(w.printed(), 3);
  },
);

t.test('after a cut: from the last line second on, nothing printed twice, nothing lost', async (t) => {
  const w = new WindowedLog({ tailLines: 10 });
  w.nextQuery();
  // Two lines in one second (the second's fraction trimmed: .1 is later than .09), then the cut.
  t.equal(
    w.take(
      '2026-11-29T02:00:05.09Z a\n2026-11-29T02:00:05.1Z b\n2026-11-29T02:00:05.1Z c\n2026-11-29T02:00:06',
    ),
    'a\nb\nc\n',
  );
  t.same(w.nextQuery(), { timestamps: true, sinceTime: '2026-11-29T02:00:05Z' }, 'from the whole second');
  t.equal(
    w.take(
      '2026-11-29T02:00:05.09Z a\n2026-11-29T02:00:05.1Z b\n2026-11-29T02:00:05.1Z c\n2026-11-29T02:00:05.1Z d\n2026-11-29T02:00:06Z e\n',
    ),
    'd\ne\n',
    "the same second again: only what was not printed (d shares c's timestamp)",
  );
  t.equal(w.printed(), 5);
});

t.test('a cut before any line: the window is asked again', async (t) => {
  const w = new WindowedLog({ sinceSeconds: 30 });
  w.nextQuery();
  t.equal(w.take('2026-11-29T02:00:05Z par'), '');
  t.same(
    w.nextQuery(),
    { timestamps: true, sinceSeconds: 30 },
    'the unfinished line is dropped and read again',
  );
  t.equal(w.take('2026-11-29T02:00:05Z partial\n'), 'partial\n');
});

t.test('timestamps with an offset are compared as times', async (t) => {
  const w = new WindowedLog({});
  w.nextQuery();
  t.equal(w.take('2026-11-29T04:00:05+02:00 x\n'), 'x\n');
  t.same(w.nextQuery(), { timestamps: true, sinceTime: '2026-11-29T02:00:05Z' });
  t.equal(w.take('2026-11-29T02:00:05Z x\n2026-11-29T02:00:05.000000001Z y\n'), 'y\n');
});
