// A TaskRun's objects over its lifetime against the real apiserver: deleted with the run (finalizer),
// except the workspace; a foreign object of the same name reported as a conflict, never taken over;
// an object of ours left by an interrupted reconcile adopted, not duplicated; `orchestrator cancel`
// stopping a running attempt (the real Job controller terminates its pod) with the run kept, Cancelled.
import t from 'tap';
import { defaulted, kindFacts, LABELS, type TaskRun } from '../../src/api/index.js';
import { attemptConfigMap } from '../../src/controllers/agent/manifests.js';
import { taskRunStrategy } from '../../src/controllers/kind/strategy.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { kubeConfig } from '../harness/cluster/cluster.js';
import { runCli } from '../harness/operator/cli.js';
import {
  attemptNames,
  configMapPath,
  HARNESS_SEAL,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const count = async (p: Promise<{ items: unknown[] }>) => (await p).items.length;

t.test(
  "orchestrator delete --wait: a running run's Job and ConfigMap go, then the finalizer, then the run; the PVC stays",
  async (t) => {
    const { namespace, client } = await suite.start(t);
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-10', 10) });
    const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-10'));
    await waitFor('phase Running', async () => (await get()).status?.phase === 'Running');
    const deleted = await runCli(cluster, ['delete', 'otr', 'pay-10', '--wait', '--timeout', '5m'], {
      namespace,
    });
    t.match(deleted, { code: 0, stdout: 'taskrun.orchestrator.io/pay-10 deleted\n', stderr: '' });
    t.equal(await httpStatusOf(get()), 404, 'gone when --wait returns');
    const again = await runCli(cluster, ['delete', 'otr', 'pay-10'], { namespace });
    t.match(again, {
      code: 1,
      stderr: `error: taskrun.orchestrator.io/pay-10 not found in namespace "${namespace}"\n`,
    });
    const query = { labelSelector: `${LABELS.run}=pay-10` };
    t.equal(await count(client.request('GET', jobPath(namespace), { query })), 0, 'no Job left');
    t.equal(await count(client.request('GET', configMapPath(namespace), { query })), 0, 'no ConfigMap left');
    t.equal(
      await httpStatusOf(
        client.request('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/workspace-payments`),
      ),
      200,
      'the workspace PVC is kept',
    );
  },
);

t.test('a foreign ConfigMap of the same name is a conflict in status, and is left alone', async (t) => {
  const namespace = await suite.namespace(t);
  // The name is the run's (it ends in its uid's hash): the run exists before the operator starts.
  const client = new KubeClient(kubeConfig(cluster));
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-11', 11) });
  const names = await attemptNames(client, namespace, 'TaskRun', 'pay-11');
  const foreign = { metadata: { name: names.configMap, namespace }, data: { mine: 'yes' } };
  await client.request('POST', configMapPath(namespace), { body: foreign });
  await startOperator(t, cluster, namespace);
  const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-11'));
  await waitFor('a status', async () => (await get()).status !== undefined);
  const status = (await get()).status;
  t.match(status, {
    phase: 'Pending',
    message: `ConfigMap ${names.configMap} already exists and is not this TaskRun's: it has no controller; delete or rename it`,
  });
  t.match(
    status?.conditions?.find((c) => c.type === 'ConfigMapReady'),
    { status: 'False', reason: 'NameConflict' },
  );
  const kept = await client.request<KubeObject>('GET', configMapPath(namespace, names.configMap));
  t.same(kept.data, { mine: 'yes' }, 'the foreign ConfigMap is untouched');
  t.equal(
    await httpStatusOf(client.request('GET', jobPath(namespace, names.job))),
    404,
    'no Job without its files',
  );
});

t.test('a ConfigMap of ours left by an interrupted reconcile is adopted', async (t) => {
  const config = testConfig();
  const { namespace, client, stop } = await suite.start(t, config);
  await stop(); // the "crashed" operator: the run and its ConfigMap exist, nothing else
  const run = await client.request<TaskRun>('POST', taskRunPath(namespace), {
    body: {
      ...sampleTaskRun('pay-12', 12),
      metadata: { name: 'pay-12', finalizers: [kindFacts('TaskRun').finalizer] },
    },
  });
  const leftover = attemptConfigMap(
    { strategy: taskRunStrategy, run: defaulted('TaskRun', run, config), config, attempt: 1 },
    { 'container.sh': 'echo earlier' },
  );
  // What the crashed operator made carries its seal (decision 0069).
  const sealed = HARNESS_SEAL.stamp(leftover, 'ConfigMap', run.metadata?.uid ?? '');
  await client.request('POST', configMapPath(namespace), { body: sealed });
  const { client: restarted } = await startOperator(t, cluster, namespace, config);
  const get = () => restarted.request<TaskRun>('GET', taskRunPath(namespace, 'pay-12'));
  await waitFor('phase Running', async () => (await get()).status?.phase === 'Running');
  const query = { labelSelector: `${LABELS.run}=pay-12` };
  t.equal(await count(restarted.request('GET', configMapPath(namespace), { query })), 1, 'one ConfigMap');
  const adopted = await restarted.request<KubeObject>(
    'GET',
    configMapPath(namespace, leftover.metadata?.name),
  );
  t.same(adopted.data, { 'container.sh': 'echo earlier' }, 'adopted as it was');
  t.equal(await count(restarted.request('GET', jobPath(namespace), { query })), 1, 'one Job');
});

t.test(
  'orchestrator cancel stops the running attempt; the run stays, Cancelled, and is not retried',
  async (t) => {
    const { namespace, client } = await suite.start(t);
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-13', 13) });
    const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-13'));
    await waitFor('phase Running', async () => (await get()).status?.phase === 'Running');
    const { job } = await attemptNames(client, namespace, 'TaskRun', 'pay-13');
    const pods = `/api/v1/namespaces/${namespace}/pods`;
    const query = { labelSelector: `batch.kubernetes.io/job-name=${job}` };
    const podsOf = async () => (await client.request<{ items: KubeObject[] }>('GET', pods, { query })).items;
    t.equal((await podsOf()).length, 1, 'its agent pod runs (held running a day by the test config)');

    const res = await runCli(cluster, ['cancel', 'otr', 'pay-13', '--wait', '--timeout', '5m'], {
      namespace,
    });
    t.equal(res.code, 1, `a cancelled run is no success: exit 1 (stderr: ${res.stderr})`);
    t.match(res.stdout, /taskrun\.orchestrator\.io\/pay-13 cancelled/);
    t.match(res.stdout, /TaskRun pay-13 was cancelled/);

    const run = await get();
    t.match(run.status, { phase: 'Cancelled', attempt: 1, jobName: job, message: /attempt 1 was cancelled/ });
    t.match(
      run.status?.conditions?.find((c) => c.type === 'Succeeded'),
      { status: 'False', reason: 'Cancelled' },
    );
    t.ok(run.status?.completionTime, 'it has ended');
    const stopped = await client.request<KubeObject>('GET', jobPath(namespace, job));
    const failed = (stopped.status as { conditions?: { type: string; status: string }[] }).conditions?.find(
      (c) => c.type === 'Failed' && c.status === 'True',
    );
    t.ok(failed, 'the Job controller failed the Job at its shortened deadline; the Job is kept');
    // Once seen failing under load, with nothing to say whether the deadline reached the Job.
    if (!failed)
      t.comment(
        JSON.stringify({
          activeDeadlineSeconds: (stopped.spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds,
          annotations: stopped.metadata?.annotations,
          status: stopped.status,
        }),
      );
    await waitFor('the agent pod terminated', async () =>
      (await podsOf()).every(
        (p) =>
          p.metadata?.deletionTimestamp ||
          /Succeeded|Failed/.test(String((p.status as { phase?: string }).phase)),
      ),
    );
    const jobs = await client.request<{ items: KubeObject[] }>('GET', jobPath(namespace), {
      query: { labelSelector: `${LABELS.run}=pay-13` },
    });
    t.equal(jobs.items.length, 1, 'no retry: no second attempt');
    const again = await runCli(cluster, ['cancel', 'otr', 'pay-13'], { namespace });
    t.match(again, { code: 0, stdout: /was already cancelled/ });
  },
);
