// `--wait` follows a run across watches: each watch is ended by the server after watchSeconds and made
// again from the last resourceVersion, and the run finishing in a later watch is still seen. The test
// writes the run's status itself (no controller), so nothing but the watches can report it.
import t from 'tap';
import { memoryIO } from '../../src/cli/io.js';
import { connect } from '../../src/cli/kube.js';
import { waitForRun } from '../../src/cli/wait.js';
import { testCluster, testNamespace } from '../harness/cluster.js';
import { ensureCrds } from '../harness/crds.js';
import { sampleTaskRun, taskRunPath } from '../harness/operator.js';
import { scaled, waitFor } from '../harness/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);

t.test('a run that finishes after several watches ended is followed to its end', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const conn = await connect({ kubeconfig: cluster.kubeconfig, namespace });
  t.teardown(() => conn.close());
  const { client } = conn;
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-30', 30) });
  let watches = 0;
  const watch = client.watch.bind(client);
  client.watch = (...args: Parameters<typeof watch>) => {
    watches++;
    return watch(...args);
  };
  const io = memoryIO();
  const waiting = waitForRun(conn, { kind: 'TaskRun', name: 'pay-30', namespace }, io, {
    timeout: `${scaled(60)}s`,
    watchSeconds: 1,
  });
  const setStatus = (status: Record<string, unknown>) =>
    client.request('PATCH', `${taskRunPath(namespace, 'pay-30')}/status`, {
      body: { status: { observedGeneration: 1, attempt: 1, ...status } },
      contentType: 'application/merge-patch+json',
    });
  // Each change goes in a later watch than the one before (the server ends each after about 1 s).
  await waitFor('a second watch', () => watches >= 2);
  await setStatus({ phase: 'Running', message: 'attempt 1 is running' });
  await waitFor('a third watch', () => watches >= 3);
  await setStatus({ phase: 'Succeeded', message: 'attempt 1 succeeded' });
  t.equal(await waiting, 0, `exit 0:\n${io.stdout()}${io.stderr()}`);
  t.ok(watches >= 3, `the watch was made again after the server ended it (${watches} watches)`);
  t.match(io.stdout(), /Running/, 'the change seen in an earlier watch is printed');
  t.match(io.stdout(), /Succeeded/, 'the summary names the outcome');
});
