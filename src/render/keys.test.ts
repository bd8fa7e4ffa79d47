import fc from 'fast-check';
import t from 'tap';
import {
  configMapKeyProblem,
  configMapKeyToPath,
  MAX_KEY_LENGTH,
  renderedFileKey,
  taskFileKey,
  templateOutputProblem,
} from './keys.js';

t.test('rendered files: "/" becomes "_" and back, under config/', async (t) => {
  t.equal(renderedFileKey('agent-shell/stop-commit.sh'), 'agent-shell_stop-commit.sh');
  t.equal(configMapKeyToPath('agent-shell_stop-commit.sh'), 'config/agent-shell/stop-commit.sh');
  t.equal(configMapKeyToPath('CLAUDE.md'), 'config/CLAUDE.md');
  t.throws(() => renderedFileKey('my_file.md'), /path segment "my_file\.md"/);
  t.match(templateOutputProblem('task/x.md'), /may not start with "task\/"/);
  t.match(templateOutputProblem('../x'), /path segment "\.\."/);
  t.match(templateOutputProblem('..x'), /start with '\.\.'/);
});

t.test('task files: "task_" + the name, reversible for every valid name', async (t) => {
  t.equal(taskFileKey('task.md'), 'task_task.md');
  t.equal(configMapKeyToPath('task_my_notes.md'), 'my_notes.md');
  t.equal(configMapKeyToPath('task_...md'), '...md', 'a name starting with dots still gets a valid key');
  t.equal(configMapKeyProblem(taskFileKey('...md')), undefined);
  fc.assert(
    fc.property(fc.stringMatching(/^[A-Za-z0-9._-]{1,245}\.md$/), (name) => {
      const key = taskFileKey(name);
      return configMapKeyProblem(key) === undefined && configMapKeyToPath(key) === name;
    }),
  );
});

t.test('a name too long for the prefix gets a shortened, distinct, valid key', async (t) => {
  const a = `${'a'.repeat(250)}.md`;
  const b = `${'a'.repeat(249)}b.md`;
  t.equal(taskFileKey(a).length, MAX_KEY_LENGTH);
  t.equal(configMapKeyProblem(taskFileKey(a)), undefined);
  t.not(taskFileKey(a), taskFileKey(b));
});

t.test('ConfigMap key rules', async (t) => {
  t.equal(configMapKeyProblem('a-b.c_d'), undefined);
  t.match(configMapKeyProblem(''), /1 to 253/);
  t.match(configMapKeyProblem('a/b'), /may only contain/);
  t.match(configMapKeyProblem('..a'), /start with '\.\.'/);
  t.match(configMapKeyProblem('.'), /may not be '\.'/);
});
