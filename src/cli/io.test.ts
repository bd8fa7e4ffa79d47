// The process's CliIO: a wait (get -w, --wait, logs -f) ends on Ctrl-C and on SIGTERM (a `timeout`
// command, a CI step's end) alike, and leaves no handler behind once it is over.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../util/index.js';
import { colourWanted, processIO } from './io.js';

t.test('Ctrl-C and SIGTERM abort a wait; dispose removes the handlers', async (t) => {
  const before = { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const wait = processIO().interrupted();
    t.notOk(wait.signal.aborted);
    process.emit(signal, signal);
    t.ok(wait.signal.aborted, `${signal} aborts it`);
    wait.dispose();
  }
  const unused = processIO().interrupted();
  unused.dispose();
  t.same(
    { SIGINT: process.listenerCount('SIGINT'), SIGTERM: process.listenerCount('SIGTERM') },
    before,
    'no handler left',
  );
});

t.test('NO_COLOR set to anything but empty turns colour off (no-color.org)', async (t) => {
  t.equal(colourWanted({}), true);
  t.equal(colourWanted({ NO_COLOR: '' }), true, 'empty: as if unset');
  t.equal(colourWanted({ NO_COLOR: '1' }), false);
  t.equal(colourWanted({ NO_COLOR: 'false' }), false, 'any value');
});

t.test('a reader that went away ends the command quietly, exit 0, as it ends cat', async (t) => {
  // Its standard output closed before Node has even started: its first write meets EPIPE.
  const child = spawn(
    process.execPath,
    [join(packageRoot(), 'bin', 'orchestrator.js'), 'install', '--help'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  t.equal(stderr, '', 'no stack trace');
  t.equal(code, 0);
});
