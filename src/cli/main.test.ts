// The command tree's own behaviour: its version, and an unknown command or flag answered in a line.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { packageRoot } from '../util/index.js';
import { EXAMPLES, leafCommands } from './examples.js';
import { COMMAND_MODULES, main, program } from './main.js';

t.test('--version prints the package version and exits 0', async (t) => {
  const io = memoryIO();
  t.equal(await main(['node', 'orchestrator', '--version'], io), 0);
  const { version } = JSON.parse(readFileSync(`${packageRoot()}/package.json`, 'utf8'));
  t.equal(io.stdout(), `${version}\n`);
});

t.test('an unknown command is an error line and a pointer to --help, not the whole help', async (t) => {
  const io = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'gett'], io), 1);
  const lines = io.stderr().trimEnd().split('\n');
  t.match(lines[0], /^error: unknown command 'gett'/);
  t.ok(lines.length <= 3, `at most the error, a suggestion and the pointer (got ${lines.length} lines)`);
  t.match(io.stderr(), /orchestrator --help lists the commands/);
  t.notMatch(io.stderr(), /Commands:/, 'no help text');
});

t.test('every command has Examples: in its help, and every example row a command', async (t) => {
  const commands = leafCommands(await program(memoryIO()));
  for (const [path, command] of commands) {
    t.ok(EXAMPLES[path]?.length, `${path} has examples`);
    const io = memoryIO();
    t.equal(await main(['node', 'orchestrator', ...path.split(' '), '--help'], io), 0);
    t.match(io.stdout(), /\nExamples:\n {2}\S/, `${path} --help shows them`);
    t.ok(command.name());
  }
  const paths = commands.map(([p]) => p);
  for (const path of Object.keys(EXAMPLES)) t.ok(paths.includes(path), `${path}: a command`);
});

t.test('each module of commands registers exactly the words that load it alone', async (t) => {
  const whole = (await program(memoryIO())).commands.map((c) => c.name());
  const worded = COMMAND_MODULES.flatMap((m) => m.words);
  t.same(
    whole.filter((w) => !worded.includes(w)),
    ['completion'],
    'every command but completion (which reads the whole tree) is reached by its word',
  );
  for (const m of COMMAND_MODULES.filter((m) => m.words.length > 0)) {
    const alone = await program(memoryIO(), 'orchestrator', m.words[0]);
    t.same(
      alone.commands.map((c) => c.name()),
      m.words,
      `${m.words.join(', ')}: its module registers those commands and no other`,
    );
  }
  t.same(
    (await program(memoryIO(), 'orchestrator', 'gett')).commands.map((c) => c.name()),
    whole,
    'a word that names no command gets the whole tree (for the suggestion)',
  );
});

t.test('a command run alone: its help, and an unknown flag, are those of the whole tree', async (t) => {
  const one = memoryIO();
  const all = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'get', '--help'], one), 0);
  const whole = await program(all);
  whole.exitOverride();
  await whole.parseAsync(['node', 'orchestrator', 'get', '--help']).catch(() => undefined);
  t.match(one.stdout(), /^Usage: orchestrator get /);
  t.equal(one.stdout(), all.stdout());
  const flag = memoryIO();
  t.equal(await main(['node', 'orchestrator', 'get', '--nope'], flag), 1);
  t.match(flag.stderr(), /^error: unknown option '--nope'/);
});
