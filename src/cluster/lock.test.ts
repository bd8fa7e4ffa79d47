import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { scaled } from '../../test/harness/util/wait.js';
import { withDirectoryLock } from './lock.js';

t.test('holders of one lock run one at a time', async (t) => {
  const lock = join(mkdtempSync(join(tmpdir(), 'lock-')), 'l');
  let inside = 0;
  let maxInside = 0;
  const work = () =>
    withDirectoryLock(lock, scaled(10_000), async () => {
      inside++;
      maxInside = Math.max(maxInside, inside);
      await new Promise((r) => setTimeout(r, 50));
      inside--;
    });
  await Promise.all([work(), work(), work()]);
  t.equal(maxInside, 1);
});

t.test('a lock left by a dead process is taken over', async (t) => {
  const lock = join(mkdtempSync(join(tmpdir(), 'lock-')), 'l');
  mkdirSync(lock);
  writeFileSync(join(lock, 'pid'), '999999999');
  t.equal(await withDirectoryLock(lock, scaled(2_000), async () => 'ran'), 'ran');
});

t.test('a lock held by a live process times out with its pid', async (t) => {
  const lock = join(mkdtempSync(join(tmpdir(), 'lock-')), 'l');
  mkdirSync(lock);
  writeFileSync(join(lock, 'pid'), String(process.pid));
  await t.rejects(
    withDirectoryLock(lock, 300, async () => 'ran'),
    new RegExp(`held by pid ${process.pid}`),
  );
});
