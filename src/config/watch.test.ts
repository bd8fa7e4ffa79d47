import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout } from 'node:timers/promises';
import t from 'tap';
import type { ControllerConfig } from '../api/index.js';
import { defaultConfigFile } from './load.js';
import { watchConfigFile } from './watch.js';

const good = readFileSync(defaultConfigFile(), 'utf8');

// Writes like a ConfigMap volume does: a new file swapped in atomically.
function replace(path: string, text: string) {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

function next<T>(register: (resolve: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve) => register(resolve));
}

t.test('a changed file is applied; a bad one is rejected and the last good one stays', async (t) => {
  const path = join(mkdtempSync(join(tmpdir(), 'cfg-')), 'config.yaml');
  writeFileSync(path, good);
  let onChange: (c: ControllerConfig) => void = () => {};
  let onError: (e: Error) => void = () => {};
  let errors = 0;
  const source = watchConfigFile(path, {
    pollMs: 100,
    onChange: (c) => onChange(c),
    onError: (e) => {
      errors++;
      onError(e);
    },
  });
  // The watcher and its poll timer do not hold the process open (a server does, in production).
  const keepAlive = setInterval(() => {}, 1000);
  t.teardown(() => {
    source.close();
    clearInterval(keepAlive);
  });
  t.equal(source.current().defaultAgent, 'rex');

  const rejected = next<Error>((r) => (onError = r));
  replace(path, good.replace('defaultAgent: rex', 'defaultAgent: nobody'));
  t.match((await rejected).message, /defaultAgent/);
  t.equal(source.current().defaultAgent, 'rex', 'the last good config stays');
  await setTimeout(300); // a few polls of the same bad file
  t.equal(errors, 1, 'a bad file is reported once, not at every poll');

  const changed = next<ControllerConfig>((r) => (onChange = r));
  replace(path, good.replace('defaultAgent: rex', 'defaultAgent: blaze'));
  t.equal((await changed).defaultAgent, 'blaze');
  t.equal(source.current().defaultAgent, 'blaze');
});
