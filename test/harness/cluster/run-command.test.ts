// runCommand's contract: a command's exit decides, even when it stops reading its input early.
import t from 'tap';
import { runCommand } from './cluster.js';

t.test('a command that exits before reading its input resolves with its exit code', async (t) => {
  const input = 'x'.repeat(4 << 20); // more than a pipe holds, so the write is still going when `true` exits
  const result = await runCommand(['true'], input);
  t.equal(result.code, 0);
});

t.test('input reaches a command that reads it', async (t) => {
  const result = await runCommand(['wc', '-c'], 'abc');
  t.equal(result.stdout.trim(), '3');
});
