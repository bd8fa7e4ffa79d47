// A Job whose pod the apiserver refuses says why: in a namespace without the agent sandbox (its
// ServiceAccount missing), the Job controller records FailedCreate on the Job; the run's status names
// the missing ServiceAccount and the command that creates it, and the attempt fails after the grace
// period (the cause will not heal by itself), with the same words.
import t from 'tap';
import type { TaskRun } from '../../src/api/index.js';
import { sampleTaskRun, startOperator, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

t.test('a run in a namespace without the agent sandbox names the missing ServiceAccount', async (t) => {
  const namespace = await suite.namespace(t);
  const admin = suite.admin(t);
  await admin.request('DELETE', `/api/v1/namespaces/${namespace}/serviceaccounts/orchestrator-agent`);
  const config = testConfig((c) => {
    c.job.stuckPodGraceSeconds = 3;
    c.retries.maxRetries = 0;
  });
  const { client } = await startOperator(t, cluster, namespace, config);
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-50', 50) });
  const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-50'));
  const fix = `kubectl apply -k config/agents -n ${namespace}`;
  const failed = await waitFor('pay-50 failed by its pod refusal', async (note) => {
    const run = await get();
    note(run.status);
    return run.status?.phase === 'Failed' ? run : undefined;
  });
  t.match(failed.status?.message, /serviceaccount "orchestrator-agent" not found/);
  t.ok(failed.status?.message?.includes(fix), `the message says what to do: ${failed.status?.message}`);
  const events = await client.request<{ items: Array<{ reason: string; message: string }> }>(
    'GET',
    `/api/v1/namespaces/${namespace}/events`,
    { query: { fieldSelector: 'involvedObject.kind=TaskRun,involvedObject.name=pay-50' } },
  );
  const pending = events.items.find((e) => e.reason === 'PodCreateFailed');
  t.ok(pending, 'an Event while it waited, with the reason');
  t.match(pending?.message, /serviceaccount "orchestrator-agent" not found/);
});
