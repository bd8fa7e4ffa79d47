import t from 'tap';
import { configFrom, loadDefaultConfig } from './load.js';
import { taskDocsPaths, underProject } from './task-docs.js';

const config = loadDefaultConfig();
const withTaskDocs = (taskDocs: Record<string, string>) => () =>
  configFrom({ ...config, taskDocs }, 'c.yaml');

t.test("the default is Task Master's layout", async (t) => {
  t.same(config.taskDocs, {
    directory: '.taskmaster/docs/task-{id}',
    tasksFile: '.taskmaster/tasks/tasks.json',
  });
  t.same(configFrom({ ...config, taskDocs: undefined }).taskDocs, config.taskDocs, 'filled in when absent');
});

t.test('paths under the project directory, the repository root written as .', async (t) => {
  const root = taskDocsPaths(config, '.');
  t.equal(root.tasksFile, '.taskmaster/tasks/tasks.json');
  t.equal(root.directory(12), '.taskmaster/docs/task-12');
  const project = taskDocsPaths(config, '_projects/trader/');
  t.equal(project.directoryPattern, '_projects/trader/.taskmaster/docs/task-{id}');
  t.equal(project.directory(3), '_projects/trader/.taskmaster/docs/task-3');
  const twice = taskDocsPaths(configFrom({ ...config, taskDocs: { directory: '{id}/task-{id}' } }), 'p');
  t.equal(twice.directory(5), 'p/5/task-5', 'every {id} is replaced');
  t.equal(underProject('', 'a'), 'a');
});

t.test('unusable paths are refused, naming the field and the rule', async (t) => {
  t.throws(withTaskDocs({ directory: 'docs/tasks' }), {
    name: 'ConfigError',
    message:
      /taskDocs\.directory: Invalid value: "docs\/tasks": must contain \{id\}, or every task would share one directory/,
  });
  t.throws(
    withTaskDocs({ directory: 'docs/{task}-{id}' }),
    /taskDocs\.directory: .*may contain braces only as \{id\}/,
  );
  t.throws(withTaskDocs({ directory: '../other/{id}' }), /taskDocs\.directory: .*without '\.\.' segments/);
  t.throws(
    withTaskDocs({ tasksFile: 'a/../../tasks.json' }),
    /taskDocs\.tasksFile: .*without '\.\.' segments/,
  );
  t.throws(withTaskDocs({ tasksFile: '/etc/tasks.json' }), /taskDocs\.tasksFile: .*must match the pattern/);
  t.throws(withTaskDocs({ tasksFile: 'tasks-{id}.json' }), /taskDocs\.tasksFile: .*must match the pattern/);
  t.ok(withTaskDocs({ directory: '..docs/{id}', tasksFile: 'x..json' })(), "'..' inside a name is a name");
});
