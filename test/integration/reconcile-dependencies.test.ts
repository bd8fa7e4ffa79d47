// dependsOn against the real apiserver: a TaskRun waits in Pending, naming the tasks it waits for,
// starts when they have succeeded, and fails when one of them has failed.
import t from 'tap';
import type { TaskRun } from '../../src/api/index.js';
import {
  finishJob,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  taskRunJob,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

const dependencies = (run: TaskRun) => run.status?.conditions?.find((c) => c.type === 'DependenciesReady');

t.test('a run waits for its dependencies, then starts when they succeed', async (t) => {
  const { namespace, client } = await suite.start(t);
  const get = (name: string) => client.request<TaskRun>('GET', taskRunPath(namespace, name));
  await client.request('POST', taskRunPath(namespace), {
    body: sampleTaskRun('task-2', 2, { dependsOn: [1] }),
  });
  await waitFor('phase Pending', async () => (await get('task-2')).status?.phase === 'Pending');
  const waiting = await get('task-2');
  t.match(dependencies(waiting), {
    status: 'False',
    reason: 'WaitingForDependencies',
    message: 'waiting for task 1 to succeed',
  });
  t.match(waiting.status, { message: 'waiting for task 1 to succeed' });
  t.notOk(waiting.status?.attempt, 'not started');
  t.equal(
    await httpStatusOf(
      client.request('GET', jobPath(namespace, await taskRunJob(client, namespace, 'task-2'))),
    ),
    404,
    'no Job yet',
  );

  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('task-1', 1) });
  await waitFor('task 1 Running', async () => (await get('task-1')).status?.phase === 'Running');
  t.equal((await get('task-2')).status?.phase, 'Pending', 'a running dependency is not enough');
  await finishJob(client, namespace, await taskRunJob(client, namespace, 'task-1'), 'Complete');
  await waitFor('task 2 Running', async () => (await get('task-2')).status?.phase === 'Running');
  t.match(dependencies(await get('task-2')), { status: 'True', reason: 'DependenciesSucceeded' });
  t.equal(
    await httpStatusOf(
      client.request('GET', jobPath(namespace, await taskRunJob(client, namespace, 'task-2'))),
    ),
    200,
    'its Job',
  );
});

t.test('a run whose dependency failed fails', async (t) => {
  const { namespace, client } = await suite.start(
    t,
    testConfig((c) => {
      c.retries = { ...c.retries, maxRetries: 0, backoffSeconds: 0 };
    }),
  );
  const get = (name: string) => client.request<TaskRun>('GET', taskRunPath(namespace, name));
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('task-3', 3) });
  await client.request('POST', taskRunPath(namespace), {
    body: sampleTaskRun('task-4', 4, { dependsOn: [3] }),
  });
  await waitFor('task 3 Running', async () => (await get('task-3')).status?.phase === 'Running');
  await finishJob(client, namespace, await taskRunJob(client, namespace, 'task-3'), 'Failed');
  await waitFor('task 4 Failed', async () => (await get('task-4')).status?.phase === 'Failed');
  const failed = await get('task-4');
  t.match(dependencies(failed), {
    status: 'False',
    reason: 'DependencyFailed',
    message: 'task 3 failed, so this task cannot run',
  });
  t.match(
    failed.status?.conditions?.find((c) => c.type === 'Succeeded'),
    { status: 'False', reason: 'DependencyFailed' },
  );
});
