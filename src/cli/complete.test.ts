// `__complete` without a cluster: what the line asks for, read from the command tree (the run names it
// asks of a cluster: test/integration/cli-complete.test.ts).
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { candidates } from './complete.js';
import { main, program } from './main.js';

const root = await program(memoryIO());
/** No cluster answers here: a name asked of one is none, quickly. */
const nowhere = ['--kubeconfig', '/nonexistent/kubeconfig'];

t.test("a run command's first argument: the kinds, with all where the command takes it", async (t) => {
  t.same(await candidates(root, ['describe', '']), ['taskrun', 'coderun', 'docsrun']);
  t.same(await candidates(root, ['get', '-o', 'wide', '']), ['taskrun', 'coderun', 'docsrun', 'all']);
  t.same(await candidates(root, ['logs', '--tail', '5', '-f', 'co']), ['taskrun', 'coderun', 'docsrun']);
});

t.test("bash's words: `--flag=value` split at the `=`, a short flag's value attached", async (t) => {
  const kinds = ['taskrun', 'coderun', 'docsrun', 'all'];
  t.same(await candidates(root, ['get', '--output', '=', 'wide', '']), kinds, 'the value after the =');
  t.same(await candidates(root, ['get', '--output', '=', '']), [], 'the value being typed');
  t.same(await candidates(root, ['get', '-owide', '']), kinds);
});

t.test("a flag's value, a flag, a third argument, a command without runs: nothing", async (t) => {
  t.same(await candidates(root, ['get', '-o', '']), [], '-o takes a value: not a kind');
  t.same(
    await candidates(root, ['get', '--output=wide', '']),
    ['taskrun', 'coderun', 'docsrun', 'all'],
    'a value given inline: then the kind',
  );
  t.same(await candidates(root, ['get', '--wa']), []);
  t.same(await candidates(root, ['describe', 'taskrun', 'x', '']), []);
  t.same(await candidates(root, ['task', 'code', '']), []);
});

t.test('names where no cluster answers: none, and no error on the line', async (t) => {
  t.same(await candidates(root, ['describe', ...nowhere, 'taskrun', '']), []);
  const io = memoryIO();
  t.equal(await main(['node', 'orchestrator', '__complete', '--', 'describe', ...nowhere, 'tr', 'p'], io), 0);
  t.equal(io.stdout(), '');
  t.equal(io.stderr(), '');
});

t.test('hidden: not in help, nor in the completion of commands', async (t) => {
  const io = memoryIO();
  await main(['node', 'orchestrator', '--help'], io);
  t.notMatch(io.stdout(), '__complete');
});
