// Where the rendered files look for a project's tasks: config taskDocs, under the project directory.
import t from 'tap';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import { loadTemplateSet, renderCodeRun, renderDocsRun } from './index.js';
import { sampleCodeRun, sampleDocsRun } from './samples.js';

const config = loadDefaultConfig();
const custom = configFrom({ ...config, taskDocs: { directory: 'specs/{id}', tasksFile: 'plan.json' } });
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const morgan = { ...rex, agent: 'morgan' };

t.test('CodeRun: the task documents under the docs project directory', async (t) => {
  const run = sampleCodeRun(rex, config);
  const { data, context } = renderCodeRun(set, run, config, 1);
  t.equal(context.docs?.taskDir, 'projects/payments/.taskmaster/docs/task-7');
  t.match(data['container.sh'], /^readonly DOCS_TASK_DIR='projects\/payments\/\.taskmaster\/docs\/task-7'$/m);
  t.match(data['CLAUDE.md'], /directory `projects\/payments\/\.taskmaster\/docs\/task-7`/);

  const configured = renderCodeRun(set, run, custom, 1);
  t.equal(configured.context.docs?.taskDir, 'projects/payments/specs/7');
  t.match(configured.data['container.sh'], /^readonly DOCS_TASK_DIR='projects\/payments\/specs\/7'$/m);

  delete run.spec.docsProjectDirectory;
  t.equal(renderCodeRun(set, run, config, 1).context.docs?.taskDir, '.taskmaster/docs/task-7', 'the root');
});

t.test('DocsRun: the task list it needs and where it writes each task', async (t) => {
  const run = sampleDocsRun(morgan, config);
  const { data, context } = renderDocsRun(set, run, config, 1);
  t.match(context.docsRun, {
    tasksFile: 'projects/payments/.taskmaster/tasks/tasks.json',
    taskDocsDirectory: 'projects/payments/.taskmaster/docs/task-{id}',
  });
  t.match(
    data['container.sh'],
    /^readonly TASKS_FILE='projects\/payments\/\.taskmaster\/tasks\/tasks\.json'$/m,
  );
  t.match(data['CLAUDE.md'], /listed in `projects\/payments\/\.taskmaster\/tasks\/tasks\.json`/);
  t.match(data['CLAUDE.md'], /a directory `projects\/payments\/\.taskmaster\/docs\/task-\{id\}\/`/);
  t.notMatch(data['CLAUDE.md'], /tasks\/task-/, 'not the old layout');

  const configured = renderDocsRun(set, run, custom, 1);
  t.match(configured.data['container.sh'], /^readonly TASKS_FILE='projects\/payments\/plan\.json'$/m);
  t.match(configured.data['CLAUDE.md'], /a directory `projects\/payments\/specs\/\{id\}\/`/);
});
