// The harness's test namespaces end gone, even when a run in one still held the operator's finalizer
// and no operator was left to remove it: a namespace stuck Terminating is listed and emptied again by
// the namespace controller every few seconds for the rest of the run (namespace-teardown.ts).
import t from 'tap';
import { kindFacts } from '../../src/api/index.js';
import { isNotFound, KubeClient } from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { sampleTaskRun, taskRunPath } from '../harness/operator/operator.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster({ workloads: false });
await ensureCrds(cluster);

t.test('a test namespace whose run held the finalizer, no operator running, ends gone', async (t) => {
  const client = new KubeClient(kubeConfig(cluster));
  t.teardown(() => client.close());
  let ns = '';
  await t.test('a test that leaves a run holding the finalizer', async (t) => {
    ns = await testNamespace(t, cluster);
    const run = sampleTaskRun('held', 7);
    run.metadata = { ...run.metadata, finalizers: [kindFacts('TaskRun').finalizer] };
    await client.request('POST', taskRunPath(ns), { body: run });
  });
  const gone = await waitFor(
    `the namespace ${ns} and its run to be gone`,
    async () => {
      try {
        await client.request('GET', `/api/v1/namespaces/${ns}`);
        return undefined;
      } catch (err) {
        return isNotFound(err) ? true : undefined;
      }
    },
    { timeoutMs: 180_000 },
  );
  t.ok(gone);
});
