import t from 'tap';
import {
  AGENT_SHELL_CONFIGMAP_PREFIX,
  agentShellFiles,
  agentShellName,
  withoutAgentShell,
} from './agent-shell-files.js';

const files = (entries: [string, string][]) => agentShellFiles(new Map(entries));

t.test("the agent shell's name follows its content, in any order, and is a DNS label", async (t) => {
  const a = files([
    ['agent-shell/lib.sh', 'lib\n'],
    ['agent-shell/result.sh', 'result\n'],
  ]);
  t.match(a.name, new RegExp(`^${AGENT_SHELL_CONFIGMAP_PREFIX}[0-9a-f]{16}$`));
  t.ok(a.name.length <= 63);
  t.same(a.data, { 'agent-shell_lib.sh': 'lib\n', 'agent-shell_result.sh': 'result\n' });
  const reordered = files([
    ['agent-shell/result.sh', 'result\n'],
    ['agent-shell/lib.sh', 'lib\n'],
  ]);
  t.equal(reordered.name, a.name, 'the order files are read in does not matter');
  t.not(files([['agent-shell/lib.sh', 'lib\n']]).name, a.name, 'a file less');
  t.not(
    files([
      ['agent-shell/lib.sh', 'lib\n '],
      ['agent-shell/result.sh', 'result\n'],
    ]).name,
    a.name,
    'a byte more',
  );
  // The same bytes split differently between the files: another agent shell, so another name.
  t.not(
    files([
      ['agent-shell/lib.sh', 'lib\nresult\n'],
      ['agent-shell/result.sh', ''],
    ]).name,
    a.name,
  );
});

t.test("a run's own data is its rendered data less the agent shell's keys", async (t) => {
  const agentShell = files([['agent-shell/lib.sh', 'lib\n']]);
  t.same(
    withoutAgentShell(
      { 'container.sh': 'x', 'agent-shell_lib.sh': 'lib\n', 'task_task.md': 'y' },
      agentShell,
    ),
    {
      'container.sh': 'x',
      'task_task.md': 'y',
    },
  );
});

t.test('a ConfigMap is an agent shell when its data hashes to its name', async (t) => {
  const agentShell = files([['agent-shell/lib.sh', 'lib\n']]);
  t.equal(agentShellName({ ...agentShell.data }), agentShell.name);
  t.not(agentShellName({ 'agent-shell_lib.sh': 'lib \n' }), agentShell.name);
  t.equal(agentShellName({ 'agent-shell_lib.sh': 42 }), '', 'not text: no agent shell');
});
