import t from 'tap';
import {
  agentFromGithubApp,
  boundedName,
  docsWorkspacePvcName,
  taskRunConfigMapName,
  taskRunJobName,
  workspacePvcName,
} from './names.js';

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

t.test('short names are kept as they are', async (t) => {
  t.equal(taskRunJobName('payments', 7, 2), 'payments-task-7-run-2');
  t.equal(taskRunConfigMapName('payments', 7, 2), 'payments-task-7-run-2-files');
});

t.test('long names are cut to 63 with a stable hash that tells them apart', async (t) => {
  const service = 'a'.repeat(60);
  const one = taskRunConfigMapName(service, 1, 1);
  const two = taskRunConfigMapName(service, 2, 1);
  t.equal(one.length, 63);
  t.match(one, DNS1123);
  t.not(one, two);
  t.equal(taskRunConfigMapName(service, 1, 1), one, 'stable');
  t.equal(boundedName(`${'b'.repeat(54)}-${'c'.repeat(20)}`).length, 63);
  t.match(boundedName(`${'b'.repeat(54)}-${'c'.repeat(20)}`), DNS1123, 'no dash before the hash doubles up');
});

t.test('workspace PVCs: shared for implementation agents, per agent otherwise', async (t) => {
  t.equal(agentFromGithubApp('5DLabs-Cleo'), 'cleo');
  t.equal(agentFromGithubApp('5DLabs-Rex'), 'rex');
  t.equal(workspacePvcName('billing', 'rex', true), 'workspace-billing');
  t.equal(workspacePvcName('billing', 'blaze', true), 'workspace-billing');
  t.equal(workspacePvcName('billing', 'cleo', false), 'workspace-billing-cleo');
  t.equal(docsWorkspacePvcName('docs/API_v2'), 'docs-workspace-docs-api-v2');
  t.match(docsWorkspacePvcName('x'.repeat(100)), DNS1123);
});
