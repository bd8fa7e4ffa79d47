// `--wait` follows a run across watches: each watch is ended by the server after watchSeconds and made
// again from the last resourceVersion, and the run finishing in a later watch is still seen. The test
// writes the run's status itself (no controller), so nothing but the watches can report it. And a
// finished run whose mutable spec is edited: the controller observes the new generation without running
// anything, and `orchestrator wait` ends at once with the run's outcome.
import t from 'tap';
import { LABELS, type TaskRun } from '../../src/api/index.js';
import { connect } from '../../src/cli/kube.js';
import { waitForRun } from '../../src/cli/wait.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { memoryIO } from '../harness/fakes/cli-io.js';
import { runCli, startCli } from '../harness/operator/cli.js';
import {
  finishJob,
  jobPath,
  sampleTaskRun,
  taskRunPath,
  untilAttemptJob,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

t.test('a run that finishes after several watches ended is followed to its end', async (t) => {
  const namespace = await suite.namespace(t);
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
  // What the operator copies from the agent's result document (docs/result-protocol.md).
  await setStatus({
    phase: 'Succeeded',
    message: 'attempt 1 succeeded',
    pullRequestUrl: 'https://github.com/acme/payments/pull/30',
    summary: 'pull request https://github.com/acme/payments/pull/30',
    workCompleted: true,
  });
  t.equal(await waiting, 0, `exit 0:\n${io.stdout()}${io.stderr()}`);
  t.ok(watches >= 3, `the watch was made again after the server ended it (${watches} watches)`);
  t.match(io.stdout(), /Running/, 'the change seen in an earlier watch is printed');
  t.match(
    io.stdout(),
    /\nTaskRun pay-30 succeeded: pull request https:\/\/github\.com\/acme\/payments\/pull\/30\n(.*\n)* {2}Work completed: +true\n/,
    'the summary names the outcome and the pull request',
  );
  const cancel = await runCli(cluster, ['cancel', 'otr', 'pay-30'], { namespace });
  t.equal(cancel.code, 1, 'a finished run cannot be cancelled');
  t.equal(
    cancel.stderr,
    'error: taskrun.orchestrator.io/pay-30 cannot be cancelled: it has already finished (phase Succeeded): there is nothing to cancel\n',
    'saying so, not that the cluster cannot be reached',
  );
});

t.test('a failed run: wait ends with why it failed', async (t) => {
  const namespace = await suite.namespace(t);
  const conn = await connect({ kubeconfig: cluster.kubeconfig, namespace });
  t.teardown(() => conn.close());
  await conn.client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-32', 32) });
  await conn.client.request('PATCH', `${taskRunPath(namespace, 'pay-32')}/status`, {
    body: {
      status: {
        observedGeneration: 1,
        attempt: 1,
        phase: 'Failed',
        message: 'attempt 1 failed: the agent exited with code 3',
        summary: 'the agent exited with status 3',
        workCompleted: false,
        conditions: [
          {
            type: 'Succeeded',
            status: 'False',
            reason: 'RetriesExhausted',
            message: 'attempt 1 failed: the agent exited with code 3',
            lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
          },
        ],
      },
    },
    contentType: 'application/merge-patch+json',
  });
  const io = memoryIO();
  const code = await waitForRun(conn, { kind: 'TaskRun', name: 'pay-32', namespace }, io, {
    timeout: `${scaled(60)}s`,
  });
  t.equal(code, 1, io.stdout());
  t.match(
    io.stdout(),
    /\nTaskRun pay-32 failed: \(RetriesExhausted\) attempt 1 failed: the agent exited with code 3\n(.*\n)* {2}Summary: +the agent exited with status 3\n/,
  );
});

t.test(
  "editing a finished run's mutable spec neither hangs wait nor leaves observedGeneration behind",
  async (t) => {
    const op = await suite.start(t);
    const { namespace, client } = op;
    const path = taskRunPath(namespace, 'pay-31');
    const read = () => client.request<TaskRun>('GET', path);
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-31', 31) });
    const job = await untilAttemptJob(client, namespace, 'TaskRun', 'pay-31');
    await finishJob(client, namespace, job, 'Complete');
    const done = await waitFor('the run Succeeded and observed', async (note) => {
      const run = await read();
      note(run.status);
      return (
        run.status?.phase === 'Succeeded' && run.status.observedGeneration === run.metadata?.generation && run
      );
    });

    const edited = await client.request<TaskRun>('PATCH', path, {
      body: { spec: { model: 'claude-opus-4-20250514' } },
      contentType: 'application/merge-patch+json',
    });
    const generation = edited.metadata?.generation ?? 0;
    t.ok(generation > (done.metadata?.generation ?? 0), `the edit made generation ${generation}`);
    // Started right after the edit, usually before the controller has observed it: it must end once it has.
    const early = startCli(cluster, ['wait', 'otr', 'pay-31', '--timeout', `${scaled(60)}s`], { namespace });

    const observed = await waitFor(`observedGeneration ${generation}`, async (note) => {
      const run = await read();
      note(run.status);
      return run.status?.observedGeneration === generation && run;
    });
    t.equal(observed.status?.phase, 'Succeeded', 'still Succeeded');
    t.equal(observed.status?.attempt, 1, 'still attempt 1');
    t.ok(
      observed.status?.conditions?.every((c) => c.observedGeneration === generation),
      'every condition observed the new generation',
    );
    const { items } = await client.request<{ items: KubeObject[] }>('GET', jobPath(namespace), {
      query: { labelSelector: `${LABELS.run}=pay-31` },
    });
    t.same(
      items.map((j) => j.metadata?.name),
      [job],
      'no new Job',
    );

    // Exit 2 (its own timeout) would mean it hung.
    t.equal(
      await early.done,
      0,
      `the wait started before the controller caught up ends:\n${early.io.stdout()}${early.io.stderr()}`,
    );
    t.match(early.io.stdout(), /\nTaskRun pay-31 succeeded\n {2}Phase: +Succeeded\n {2}Attempt: +1\n/);
    const late = await runCli(cluster, ['wait', 'otr', 'pay-31', '--timeout', `${scaled(60)}s`], {
      namespace,
    });
    t.equal(late.code, 0, `a wait after it caught up ends:\n${late.stdout}${late.stderr}`);
    t.match(late.stdout, /(^|\n)TaskRun pay-31 succeeded\n {2}Phase: +Succeeded\n/);
  },
);
