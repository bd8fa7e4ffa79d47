// The process's CliIO: a wait (get -w, --wait, logs -f) ends on Ctrl-C and on SIGTERM (a `timeout`
// command, a CI step's end) alike, and leaves no handler behind once it is over.
import t from 'tap';
import { processIO } from './io.js';

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
