// The manager's Node.js flags come from the image's ENTRYPOINT (scripts/manager-node-flags.js): the
// shipped Dockerfile states some, and a line of another shape is an error naming it, never "no flags".
import t from 'tap';
import { entrypointNodeFlags, managerNodeFlags } from '../../scripts/manager-node-flags.js';

t.test('the shipped Dockerfile bounds the young generation', async (t) => {
  t.match(managerNodeFlags(), [/^--max-semi-space-size=\d+$/]);
});

t.test('flags between node and the script, in order', async (t) => {
  const line = (argv: string[]) => `FROM x\nENTRYPOINT ${JSON.stringify(argv)}\n`;
  t.same(entrypointNodeFlags(line(['/nodejs/bin/node', '/app/bin/orchestrator.js', 'run'])), []);
  t.same(entrypointNodeFlags(line(['/usr/bin/node', '--a=1', '--b', '/app/bin/orchestrator.js', 'run'])), [
    '--a=1',
    '--b',
  ]);
});

t.test('another shape is an error naming the line', async (t) => {
  t.throws(() => entrypointNodeFlags('FROM x\n'), /no ENTRYPOINT line/);
  t.throws(
    () => entrypointNodeFlags('ENTRYPOINT ["/bin/sh", "-c", "/app/bin/orchestrator.js"]'),
    /is not \[node/,
  );
  t.throws(() => entrypointNodeFlags('ENTRYPOINT ["/nodejs/bin/node", "/app/other.js"]'), /is not \[node/);
  t.throws(() => entrypointNodeFlags('ENTRYPOINT "node"'), /is not \[node/);
});
