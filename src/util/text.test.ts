import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { tailFile } from './text.js';

const dir = mkdtempSync(join(tmpdir(), 'tail-'));

t.test('the last lines of a short file, without its trailing newlines', async (t) => {
  const path = join(dir, 'short.log');
  writeFileSync(path, 'one\ntwo\nthree\n\n');
  t.equal(tailFile(path, 2), 'two\nthree');
  t.equal(tailFile(path, 10), 'one\ntwo\nthree');
});

t.test('the last lines of a log far longer than what is read of it', async (t) => {
  const path = join(dir, 'long.log');
  const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  t.equal(tailFile(path, 3), 'line 199997\nline 199998\nline 199999');
});

t.test('a missing file says so instead of throwing', async (t) => {
  t.match(tailFile(join(dir, 'absent.log')), /^\(no log at .*absent\.log: ENOENT/);
});
