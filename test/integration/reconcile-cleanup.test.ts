// cleanup.ttlSecondsAfterFinished against the real apiserver: a finished run is deleted that long after
// it finished (through its finalizer: Job and ConfigMap gone, workspace kept); a running run is not.
import t from 'tap';
import { LABELS, type TaskRun } from '../../src/api/index.js';
import {
  configMapPath,
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

t.test(
  'finished runs are deleted after cleanup.ttlSecondsAfterFinished; running ones are kept',
  async (t) => {
    const config = testConfig((c) => {
      c.cleanup = { ttlSecondsAfterFinished: 2 };
      c.concurrency = { perService: 10, global: 10 };
    });
    const { namespace, client } = await suite.start(t, config);
    // A finalizer of the test's own holds pay-20 once deleted, so that its deletionTimestamp can be read.
    const HOLD = 'orchestrator.io/test-hold';
    const held = sampleTaskRun('pay-20', 20);
    held.metadata = { ...held.metadata, finalizers: [HOLD] };
    await client.request('POST', taskRunPath(namespace), { body: held });
    // In a workspace of its own, so that it runs beside pay-20 (one run per workspace at a time).
    const other = sampleTaskRun('pay-21', 21, { workspace: { pvcName: 'workspace-pay-21' } });
    await client.request('POST', taskRunPath(namespace), { body: other });
    const get = (name: string) => client.request<TaskRun>('GET', taskRunPath(namespace, name));
    for (const name of ['pay-20', 'pay-21'])
      await waitFor(`${name} Running`, async () => (await get(name)).status?.phase === 'Running');

    await finishJob(client, namespace, await taskRunJob(client, namespace, 'pay-20'), 'Complete');
    await waitFor('pay-20 Succeeded', async () => (await get('pay-20')).status?.phase === 'Succeeded');
    // Only the test's finalizer left: the controller deleted the run and cleaned up after it.
    const deleted = await waitFor('pay-20 deleted and cleaned up', async (note) => {
      const run = await get('pay-20');
      note(run.metadata);
      return run.metadata?.deletionTimestamp && run.metadata.finalizers?.join() === HOLD ? run : undefined;
    });
    // By the run's own timestamps (both whole seconds): the deletion came at least the TTL after completion.
    const finished = Date.parse(String(deleted.status?.completionTime));
    const deletedAt = Date.parse(String(deleted.metadata?.deletionTimestamp));
    t.ok(
      deletedAt - finished >= 2000,
      `not deleted before its TTL: completed ${deleted.status?.completionTime}, deleted ${deleted.metadata?.deletionTimestamp}`,
    );
    await client.request('PATCH', taskRunPath(namespace, 'pay-20'), {
      body: [
        { op: 'test', path: '/metadata/finalizers', value: [HOLD] },
        { op: 'remove', path: '/metadata/finalizers' },
      ],
      contentType: 'application/json-patch+json',
    });
    await waitFor('pay-20 gone', async () => (await httpStatusOf(get('pay-20'))) === 404);
    const query = { labelSelector: `${LABELS.run}=pay-20` };
    const items = async (path: string) =>
      (await client.request<{ items: unknown[] }>('GET', path, { query })).items.length;
    t.equal(await items(jobPath(namespace)), 0, 'its Job went with it');
    t.equal(await items(configMapPath(namespace)), 0, 'its ConfigMap went with it');
    t.equal(
      await httpStatusOf(
        client.request('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/workspace-payments`),
      ),
      200,
      'the workspace PVC is kept',
    );
    t.equal((await get('pay-21')).status?.phase, 'Running', 'a running run is not touched');
  },
);
