// A log held within its bound: whole lines only, its start and its end, and the bytes the container
// wrote (the kubelet's timestamps not counted).
import t from 'tap';
import { BoundedLog, lastLinesWithin, linesWithin, unstampedBytes } from './bounded-log.js';

const STAMP = '2026-12-01T10:00:00Z ';
/** Lines `from`..`to`, each 26 bytes as read: a 21-byte stamp and `nnnn\n`. */
const lines = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => `${STAMP}${String(from + i).padStart(4, '0')}\n`).join('');

t.test('a log within the bound is held whole, however it arrives', async (t) => {
  const log = new BoundedLog(1040);
  const text = lines(1, 40);
  for (let i = 0; i < text.length; i += 7) log.add(text.slice(i, i + 7));
  t.same(log.held(), { bytes: 200, head: lines(1, 10), tail: lines(11, 40), cut: false });
});

t.test('a longer log keeps a quarter of its start and three quarters of its end, at line ends', async (t) => {
  const log = new BoundedLog(1040);
  const text = lines(1, 1000);
  for (let i = 0; i < text.length; i += 333) log.add(text.slice(i, i + 333));
  const held = log.held();
  t.equal(held.bytes, 5000, 'every byte the container wrote is counted, no timestamp');
  t.equal(held.head, lines(1, 10), 'the head: 260 bytes, whole lines');
  t.equal(held.tail, lines(971, 1000), 'the tail: the last 780 bytes, whole lines');
  t.ok(held.cut);
  t.equal(unstampedBytes(held.head + held.tail), 200);
});

t.test('bytes are counted as UTF-8, and a line is never cut inside a character', async (t) => {
  const log = new BoundedLog(40);
  log.add(`${STAMP}é\n`.repeat(20)); // 24 bytes a line
  const held = log.held();
  t.equal(held.bytes, 60);
  t.equal(held.head, '', 'no whole line fits in 10 bytes');
  t.equal(held.tail, `${STAMP}é\n`, 'one whole line in 30 bytes');
  t.equal(linesWithin('ab\ncd', 4), 'ab\n');
  t.equal(linesWithin('ab\ncé', 5), 'ab\n', 'a cut inside the last character is a cut');
  t.equal(lastLinesWithin('ab\ncd\n', 4), 'cd\n');
  t.equal(lastLinesWithin('ab\n', 4), 'ab\n');
  t.equal(lastLinesWithin('abcdef', 4), '', 'no line starts within the last 4 bytes');
});

t.test('however the log arrives, every line held is a whole line of it, stamp first', async (t) => {
  const text = lines(1, 300);
  const whole = new Set(text.split('\n'));
  let seed = 7;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed;
  };
  for (let round = 0; round < 50; round++) {
    const log = new BoundedLog(200 + (next() % 600));
    for (let i = 0; i < text.length; ) {
      const size = 1 + (next() % 60);
      log.add(text.slice(i, i + size));
      i += size;
    }
    const { head, tail, bytes } = log.held();
    const held = `${head}${tail}`.split('\n').slice(0, -1);
    const broken = held.filter((line) => !whole.has(line));
    if (broken.length > 0 || bytes !== 1500) {
      t.fail(`round ${round}: ${broken.length} broken lines (${broken[0]}), ${bytes} bytes`);
      return;
    }
  }
  t.pass('50 random chunkings: whole lines only, 1500 bytes counted each time');
});
