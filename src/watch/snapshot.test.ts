// What counts as the same files: the fingerprint follows the bytes (and read errors) of every file
// the paths stand for, through links, and nothing of the kubelet's `..` internals.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { readSnapshot } from './snapshot.js';

const dir = mkdtempSync(join(tmpdir(), 'snapshot-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
mkdirSync(join(dir, '..gen_1', 'sub'), { recursive: true });
writeFileSync(join(dir, '..gen_1', 'sub', 'file'), 'one');
symlinkSync('..gen_1', join(dir, '..data'));
symlinkSync('..data/sub', join(dir, 'sub'));
const file = join(dir, 'sub', 'file');

t.test('a directory stands for its files, read through links; `..` entries are skipped', async (t) => {
  const before = readSnapshot([dir]);
  t.equal(before.text(file), 'one');
  t.throws(() => before.text(join(dir, '..gen_1', 'sub', 'file')), /not among the files read/);

  writeFileSync(join(dir, '..gen_1', 'extra'), 'kubelet internals');
  t.equal(readSnapshot([dir]).fingerprint, before.fingerprint, 'a new `..` entry is no change');

  writeFileSync(join(dir, '..gen_1', 'sub', 'file'), 'two');
  const after = readSnapshot([dir]);
  t.not(after.fingerprint, before.fingerprint, 'new bytes are');
  t.equal(after.text(file), 'two');
  writeFileSync(join(dir, '..gen_1', 'sub', 'file'), 'one');
  t.equal(readSnapshot([dir]).fingerprint, before.fingerprint, 'the same bytes again, the same fingerprint');
});

t.test('an unreadable path is part of the state: its error is the content', async (t) => {
  const missing = join(dir, 'missing');
  const snapshot = readSnapshot([file, missing]);
  t.equal(snapshot.text(file), 'one', 'the other files are read');
  t.throws(() => snapshot.bytes(missing), { code: 'ENOENT' });
  t.equal(readSnapshot([file, missing]).fingerprint, snapshot.fingerprint, 'the same error, the same state');
  writeFileSync(missing, '');
  t.not(
    readSnapshot([file, missing]).fingerprint,
    snapshot.fingerprint,
    'an empty file is not a missing one',
  );
});
