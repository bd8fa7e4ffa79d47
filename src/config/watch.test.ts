import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import t from 'tap';
import { waitFor } from '../../test/harness/util/wait.js';
import type { ControllerConfig } from '../api/index.js';
import { defaultConfigFile } from './load.js';
import { watchConfigFile } from './watch.js';

const good = readFileSync(defaultConfigFile(), 'utf8');
/** Events, or else the 100 ms poll, on a busy machine. */
/** The limit (before scaling) on noticing a change: events, else the short poll of these tests. */
const NOTICE_MS = 10_000;

// Writes like a ConfigMap volume does: a new file swapped in atomically.
function replace(path: string, text: string) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

t.test('a changed file is applied; a bad one is rejected and the last good one stays', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'cfg-'));
  const path = join(dir, 'config.yaml');
  writeFileSync(path, good);
  const changes: ControllerConfig[] = [];
  const errors: Error[] = [];
  const source = watchConfigFile(path, {
    pollMs: 100,
    onChange: (c) => changes.push(c),
    onError: (e) => errors.push(e),
  });
  // The watcher and its poll timer do not hold the process open (a server does, in production).
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => {
    source.close();
    clearInterval(keepAlive);
    rmSync(dir, { recursive: true, force: true });
  });
  t.equal(source.current().defaultAgent, 'rex');
  const first = source.current();

  replace(path, `# A comment, and layout:\n${good}\n\n`);
  await setTimeout(300); // a few polls of the edited file
  t.same(changes, [], 'comments and layout are no change');
  t.equal(source.current(), first);

  replace(path, good.replace('defaultAgent: rex', 'defaultAgent: nobody'));
  await waitFor('the bad file to be rejected', () => errors.length > 0, { timeoutMs: NOTICE_MS });
  t.match(errors[0]?.message, /defaultAgent/);
  t.equal(source.current(), first, 'the last good config stays');
  await setTimeout(300); // a few polls of the same bad file
  t.equal(errors.length, 1, 'a bad file is reported once, not at every poll');

  replace(path, good.replace('defaultAgent: rex', 'defaultAgent: blaze'));
  await waitFor('the good file to be applied', () => changes.length > 0, { timeoutMs: NOTICE_MS });
  t.equal(changes[0]?.defaultAgent, 'blaze');
  t.equal(source.current().defaultAgent, 'blaze');
});
