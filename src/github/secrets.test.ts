import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import { watchWebhookSecrets } from './secrets.js';

t.test('secrets come from the configured files, follow their changes and the config', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-secrets-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const current = join(dir, 'secret');
  const previous = join(dir, 'previous-secret');
  let files: string[] = [];
  const source = watchWebhookSecrets(() => files, { pollMs: 50 });
  t.teardown(() => source.close());
  t.same(source.current(), [], 'none configured');
  files = [current, previous];
  t.same(source.current(), [], 'configured but not there yet');
  writeFileSync(current, 's3cret\n');
  const sees = (want: string[]) =>
    waitFor(
      `secrets ${JSON.stringify(want)}`,
      () => JSON.stringify(source.current()) === JSON.stringify(want),
      {
        timeoutMs: 30_000,
      },
    );
  await sees(['s3cret']);
  t.pass('a file that appears is read; its final newline is dropped');
  writeFileSync(previous, 'old');
  writeFileSync(current, 'n3w');
  await sees(['n3w', 'old']);
  t.pass('rotation: the new one first, the old one still accepted');
  rmSync(previous);
  writeFileSync(current, '  \n');
  await sees([]);
  t.pass('an empty file holds no secret');
  mkdirSync(join(dir, 'other'));
  writeFileSync(join(dir, 'other', 'secret'), 'elsewhere');
  files = [join(dir, 'other', 'secret')];
  t.same(source.current(), ['elsewhere'], 'the config names another file');
  files = [];
  t.same(source.current(), []);
});
