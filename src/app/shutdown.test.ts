// The order `orchestrator run` stops in (shutdown.ts): the servers in the reverse of their start, then
// the watched inputs, the local cluster, and tracing last; each awaited before the next.
import { setImmediate as turn } from 'node:timers/promises';
import t from 'tap';
import { shutdown } from './shutdown.js';

t.test('shutdown closes the servers, the inputs, the local cluster and tracing in that order', async (t) => {
  const closed: string[] = [];
  // The first to be closed takes the most turns of the event loop: not awaited, it would end last.
  const closer = (name: string, turns: number) => async () => {
    for (let i = 0; i < turns; i++) await turn();
    closed.push(name);
  };
  await shutdown(
    {
      webhook: { close: closer('webhook', 3) } as never,
      api: { close: closer('api', 4) } as never,
      gateway: { close: closer('gateway', 5) } as never,
    },
    { close: () => closed.push('inputs') } as never,
    { cluster: { stop: closer('local', 2) } } as never,
    { shutdown: closer('tracing', 1) } as never,
  );
  t.same(closed, ['gateway', 'api', 'webhook', 'inputs', 'local', 'tracing']);
});

t.test('what did not start is skipped', async (t) => {
  const closed: string[] = [];
  await shutdown({}, { close: () => closed.push('inputs') } as never, undefined, {
    shutdown: async () => {
      closed.push('tracing');
    },
  } as never);
  t.same(closed, ['inputs', 'tracing']);
});
