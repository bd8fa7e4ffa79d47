import t from 'tap';
import { cpuSeconds, cpuSecondsOf, findProcess, peakRssBytes, statusBytes } from './proc-stats.js';

t.test(
  'CPU seconds are utime + stime, read after the command even when it holds spaces and parentheses',
  async (t) => {
    const stat = '4242 (node (main) x) S 1 2 3 4 5 6 7 8 9 10 250 150 0 0 20 0 11 0 12 13 14';
    t.equal(cpuSecondsOf(stat, 100), 4);
  },
);

t.test('a /proc status line in bytes; NaN when absent', async (t) => {
  const status = 'Name:\tnode\nVmPeak:\t  2048 kB\nVmHWM:\t    1024 kB\n';
  t.equal(statusBytes(status, 'VmHWM'), 1024 * 1024);
  t.ok(Number.isNaN(statusBytes(status, 'VmRSS')));
});

t.test('this process, read through /proc', async (t) => {
  t.ok(cpuSeconds(process.pid) > 0);
  t.ok(peakRssBytes(process.pid) >= process.memoryUsage().rss / 2);
  t.equal(findProcess('no-such-command', 'x'), undefined);
});
