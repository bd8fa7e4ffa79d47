// Files on disk, hot reloaded, last good kept: what loads when, what is reported how often, and that a
// kubelet volume's `..data` swap is seen through events and, without them, through the poll.
import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t, { type Test } from 'tap';
import { secretVolumeWriter } from '../../test/harness/util/tls.js';
import { waitFor } from '../../test/harness/util/wait.js';
import { type HotFilesOptions, hotFiles } from './hot-files.js';

/** How long a change may take to be noticed: events, or a poll of a few tens of ms. */
/** The limit (before scaling) on noticing a change: events, else the short poll of these tests. */
const NOTICE_MS = 10_000;
/** Never, within a test: changes seen with this poll were seen through events. */
const NO_POLL = 3_600_000;

function tempDir(t: Test): string {
  const dir = mkdtempSync(join(tmpdir(), 'hot-files-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Replaces a file in one step, as editors and most writers do: a reader never sees half of it. */
function replace(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}

interface Watched {
  /** Turns the file's text into the value; by default text starting with "bad" is refused. */
  parse?: (text: string, current: string | undefined) => string;
}

/** The value is built from the file's text; counts the loads and the callbacks. */
function watched(t: Test, file: string, opts: Watched & Partial<HotFilesOptions<string>> = {}) {
  const seen = { loads: 0, changes: [] as string[], errors: [] as string[] };
  const { parse = refuseBad, ...rest } = opts;
  const source = hotFiles<string>({
    paths: [file],
    pollMs: NO_POLL,
    load: (files, current) => {
      seen.loads++;
      return parse(files.text(file), current);
    },
    onChange: (value) => seen.changes.push(value),
    onError: (err) => seen.errors.push(err.message),
    ...rest,
  });
  t.teardown(() => source.close());
  return { source, seen };
}

function refuseBad(text: string): string {
  if (text.startsWith('bad')) throw new Error(`refused: ${text}`);
  return text;
}

t.test('the first load throws; later ones apply or are refused, reported once', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'bad at start');
  t.throws(() => watched(t, file), /refused: bad at start/, 'the first load throws');

  writeFileSync(file, 'one');
  const { source, seen } = watched(t, file);
  t.equal(source.current(), 'one');
  t.notOk(source.reload(), 'the same bytes: nothing to do');
  t.equal(seen.loads, 1, 'and they are not loaded again');

  replace(file, 'two');
  t.ok(source.reload(), 'new bytes that load are applied');
  t.same(seen.changes, ['two']);

  replace(file, 'bad 1');
  for (let i = 0; i < 3; i++) t.notOk(source.reload(), 'refused');
  t.equal(source.current(), 'two', 'the last good value stays');
  t.same(seen.errors, ['refused: bad 1'], 'reported once, however often the same files are read');
  t.equal(seen.loads, 3, 'and refused files are not loaded again');

  replace(file, 'bad 2');
  source.reload();
  t.same(seen.errors, ['refused: bad 1', 'refused: bad 2'], 'other bad files are news');

  replace(file, 'two');
  t.notOk(source.reload(), 'back to the files in force: no change...');
  replace(file, 'bad 2');
  source.reload();
  t.equal(seen.errors.length, 3, '...but the refusal is forgotten: the same bad files again are reported');
});

t.test('a file that cannot be read is refused like bad content, and reported once', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'one');
  const { source, seen } = watched(t, file);
  rmSync(file);
  source.reload();
  source.reload();
  t.match(seen.errors, [/ENOENT/]);
  t.equal(seen.errors.length, 1);
  t.equal(source.current(), 'one');
});

t.test('a load may keep the value in force: the bytes are accepted, nothing changes', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'one');
  const { source, seen } = watched(t, file, {
    // Trailing blanks are layout, not content.
    parse: (text, current) => (text.trimEnd() === current ? current : text),
  });
  replace(file, 'one\n\n');
  t.notOk(source.reload());
  t.notOk(source.reload());
  t.same(seen, { loads: 2, changes: [], errors: [] }, 'loaded once, as the new bytes in force');
});

t.test('refused files are loaded again under another context, files in force are not', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'one');
  let context = { allow: 'nothing' };
  const { source, seen } = watched(t, file, {
    context: () => context,
    parse: (text) => (context.allow === text ? text : refuseBad(text)),
  });
  context = { allow: 'nothing' };
  t.notOk(source.reload(), 'a new context alone reloads nothing');
  t.equal(seen.loads, 1);

  replace(file, 'bad');
  source.reload();
  source.reload();
  t.same(seen.errors, ['refused: bad']);
  context = { allow: 'nothing' };
  source.reload();
  t.same(seen.errors, ['refused: bad', 'refused: bad'], 'refused again, under the new context: news');
  context = { allow: 'bad' };
  t.ok(source.reload(), 'allowed under the next one');
  t.equal(source.current(), 'bad');
});

t.test('an initial value: the first read is a reload, applied or refused', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'bad');
  const { source, seen } = watched(t, file, { initial: 'zero' });
  t.equal(source.current(), 'zero', 'bad files do not throw: the initial value stays');
  t.same(seen.errors, ['refused: bad']);

  replace(file, 'one');
  t.ok(source.reload());
  t.same(seen.changes, ['one']);

  const same = watched(t, file, { initial: 'one' });
  t.same(same.seen.changes, [], 'files that give the initial value again are no change');
});

t.test('after close nothing is read or applied', async (t) => {
  const file = join(tempDir(t), 'value');
  writeFileSync(file, 'one');
  const { source, seen } = watched(t, file, { pollMs: 10 });
  source.close();
  replace(file, 'two');
  t.notOk(source.reload());
  await sleep(100); // several of the polls it would have made
  t.same(seen.changes, []);
  t.equal(source.current(), 'one');
});

/**
 * A kubelet volume (`name` → `..data/name`, `..data` → `..gen_N/`, swapped by renaming a new link
 * over it), watched as its two files and as the directory; `hotFiles` is given so that a variant
 * with another `node:fs` can be run.
 */
async function kubeletVolume(t: Test, create: typeof hotFiles, pollMs: number, watchErrors: Error[]) {
  const dir = tempDir(t);
  const swap = secretVolumeWriter(dir);
  swap({ a: 'a1', b: 'b1' });
  const sources = {
    files: create({
      paths: [join(dir, 'a'), join(dir, 'b')],
      pollMs,
      load: (files) => `${files.text(join(dir, 'a'))}+${files.text(join(dir, 'b'))}`,
      onWatchError: (err) => watchErrors.push(err),
    }),
    directory: create({
      paths: [dir],
      pollMs,
      load: (files) => `${files.text(join(dir, 'a'))}+${files.text(join(dir, 'b'))}`,
      onWatchError: (err) => watchErrors.push(err),
    }),
  };
  t.teardown(() => {
    for (const source of Object.values(sources)) source.close();
  });
  t.equal(sources.files.current(), 'a1+b1');
  t.equal(
    sources.directory.current(),
    'a1+b1',
    'watched as a directory, its files are read through the links',
  );

  swap({ a: 'a2', b: 'b2' });
  for (const [name, source] of Object.entries(sources)) {
    await waitFor(`the ${name} watch to see the swapped pair`, () => source.current() === 'a2+b2', {
      timeoutMs: NOTICE_MS,
    });
  }
  t.pass('the new pair is in force, both ways');
}

t.test('a kubelet volume swap is seen through file events', async (t) => {
  const watchErrors: Error[] = [];
  await kubeletVolume(t, hotFiles, NO_POLL, watchErrors);
  t.same(watchErrors, []);
});

t.test('without file events, the poll sees the swap; the watch failure is noted once', async (t) => {
  const noWatching = t.createMock(fs, {
    watch: () => {
      throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), {
        code: 'ENOSPC',
      });
    },
  });
  // Mocks reach only the module imported, not what it imports: each module is given its mock.
  const events = await t.mockImport('./file-events.js', { 'node:fs': noWatching });
  const { hotFiles: withoutEvents } = await t.mockImport<typeof import('./hot-files.js')>('./hot-files.js', {
    './file-events.js': events,
  });
  const watchErrors: Error[] = [];
  await kubeletVolume(t, withoutEvents, 20, watchErrors);
  t.match(
    watchErrors.map((e) => e.message),
    [/ENOSPC/, /ENOSPC/],
    'a note per source, not per watch that failed (the directory has three)',
  );
  t.equal(watchErrors.length, 2);
});

t.test('an edit in place below a watched directory is seen through file events', async (t) => {
  const dir = tempDir(t);
  mkdirSync(join(dir, 'real', 'nested'), { recursive: true });
  writeFileSync(join(dir, 'real', 'nested', 'file'), 'one');
  // A template volume's subdirectories are links, as the kubelet lays out a ConfigMap with paths.
  symlinkSync('real', join(dir, 'linked'));
  const file = join(dir, 'linked', 'nested', 'file');
  const source = hotFiles({ paths: [dir], pollMs: NO_POLL, load: (files) => files.text(file) });
  t.teardown(() => source.close());
  t.equal(source.current(), 'one', 'files are read through links to directories');
  writeFileSync(join(dir, 'real', 'nested', 'file'), 'two');
  await waitFor('the edit below the directory to be seen', () => source.current() === 'two', {
    timeoutMs: NOTICE_MS,
  });
  t.pass('seen');
});
