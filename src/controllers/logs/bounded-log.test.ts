// A log held within its bound: whole lines only, its start and its end, and the bytes it had.
import t from 'tap';
import { BoundedLog, lastLinesWithin, linesWithin } from './bounded-log.js';

const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `line ${String(from + i).padStart(4, '0')}\n`).join('');

t.test('a log within the bound is held whole, however it arrives', async (t) => {
  const log = new BoundedLog(1000);
  const text = lines(1, 40); // 40 lines of 10 bytes
  for (let i = 0; i < text.length; i += 7) log.add(text.slice(i, i + 7));
  t.same(log.held(), { bytes: 400, head: lines(1, 25), tail: lines(26, 40), cut: false });
});

t.test('a longer log keeps a quarter of its start and three quarters of its end, at line ends', async (t) => {
  const log = new BoundedLog(1000);
  const text = lines(1, 1000);
  for (let i = 0; i < text.length; i += 333) log.add(text.slice(i, i + 333));
  const held = log.held();
  t.equal(held.bytes, 10_000, 'every byte read is counted');
  t.equal(held.head, lines(1, 25), 'the head: 250 bytes, whole lines');
  t.equal(held.tail, lines(926, 1000), 'the tail: the last 750 bytes, whole lines');
  t.ok(held.cut);
});

t.test('bytes are counted as UTF-8, and a line is never cut inside a character', async (t) => {
  const log = new BoundedLog(40);
  log.add('ééééé\n'.repeat(20)); // 11 bytes a line
  const held = log.held();
  t.equal(held.bytes, 220);
  t.equal(held.head, '', 'no whole line fits in 10 bytes');
  t.equal(held.tail, 'ééééé\n'.repeat(2), 'two whole lines in 30 bytes');
  t.equal(linesWithin('ab\ncd', 4), 'ab\n');
  t.equal(lastLinesWithin('ab\ncd\n', 4), 'cd\n');
  t.equal(lastLinesWithin('ab\n', 4), 'ab\n');
  t.equal(lastLinesWithin('abcdef', 4), '', 'no line starts within the last 4 bytes');
});
