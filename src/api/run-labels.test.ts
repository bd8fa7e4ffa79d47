// The labels of a run and of everything made for it, with the seeds' Job labels under our prefix
// (002: task-id, service, github-app).
import t from 'tap';
import { loadDefaultConfig } from '../config/load.js';
import { runLabels } from './defaulting.js';
import { LABELS } from './labels.js';

const config = loadDefaultConfig();

t.test('a run acting as a GitHub App is labelled with it; a user run is not', async (t) => {
  const app = runLabels('CodeRun', { taskId: 7, service: 'payments', githubApp: '5DLabs-Cleo' }, config);
  t.match(app, {
    [LABELS.taskId]: '7',
    [LABELS.service]: 'payments',
    [LABELS.agent]: 'cleo',
    [LABELS.githubApp]: '5DLabs-Cleo',
  });
  const task = runLabels(
    'TaskRun',
    { taskId: 7, serviceName: 'payments', agent: 'rex', priority: 'high' },
    config,
  );
  t.equal(task[LABELS.githubApp], config.agents.rex?.githubApp, "a TaskRun: its profile's App");
  t.equal(task[LABELS.priority], 'high', "and its priority (the seeds' priority label)");
  t.notOk(LABELS.priority in app, 'a CodeRun has no priority');
  const user = runLabels('CodeRun', { taskId: 7, service: 'payments', githubUser: 'octocat' }, config);
  t.notOk(LABELS.githubApp in user, 'a user run acts as no App');
  const long = runLabels('CodeRun', { taskId: 7, service: 'p', githubApp: `A${'b'.repeat(70)}` }, config);
  t.notOk(LABELS.githubApp in long, 'an App name no label value can hold is left out, not cut');
});
