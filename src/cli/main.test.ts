// The command tree's own behaviour: its version, and an unknown command or flag answered in a line.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { packageRoot } from '../util/index.js';
import { EXAMPLES, leafCommands } from './examples.js';
import { memoryIO } from './io.js';
import { main, program } from './main.js';

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
  const commands = leafCommands(program(memoryIO()));
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
