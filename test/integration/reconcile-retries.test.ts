// Failed attempts against the real apiserver: retried after a growing backoff until retries.maxRetries
// retries were made (three retries: four attempts), then Failed with a message that says what to do; and a raised spec.retryAttempt
// starting a new attempt at once, deleting the old attempt's running Job; a CodeRun's spec.maxRetries
// is its own cap in place of the config's.
import t from 'tap';
import type { CodeRun, TaskRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import type { KubeObject } from '../../src/runtime/index.js';
import {
  attemptNames,
  finishJob,
  httpStatusOf,
  jobPath,
  sampleCodeRun,
  sampleTaskRun,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

t.test('a failed Job is retried with growing delays, then the run fails', async (t) => {
  const config = testConfig((c) => {
    // The gateway off (not shipped): with it, a finished attempt's verdict waits for its ledger to
    // settle (LEDGER_SETTLE_MS, 10 s), so these short backoffs would be due before a status said when.
    c.gateway = { ...c.gateway, enabled: false };
    c.retries = { ...c.retries, maxRetries: 3, backoffSeconds: 2 };
  });
  const { namespace, client } = await suite.start(t, config);
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-8', 8) });
  const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-8'));
  const names = (attempt: number) => attemptNames(client, namespace, 'TaskRun', 'pay-8', attempt);
  const job = async (attempt: number) =>
    client.request<KubeObject>('GET', jobPath(namespace, (await names(attempt)).job));
  const first = (await names(1)).job;
  await waitFor('attempt 1', async () => (await get()).status?.jobName === first);
  t.match(first, /^payments-task-8-run-1-[0-9a-f]{8}$/);

  for (const attempt of [1, 2, 3]) {
    await finishJob(client, namespace, (await names(attempt)).job, 'Failed');
    let startsAt = Number.NaN;
    await waitFor('retry scheduled', async (note) => {
      const status = (await get()).status;
      note({ phase: status?.phase, message: status?.message });
      const match = / starts at (\S+)$/.exec(status?.message ?? '');
      if (match) startsAt = new Date(match[1] as string).getTime();
      return !!match;
    });
    t.equal((await get()).status?.phase, 'Pending', 'nothing runs while a retry waits');
    const failed = (
      (await job(attempt)).status as { conditions: { type: string; lastTransitionTime: string }[] }
    ).conditions.find((c) => c.type === 'Failed');
    const delay = startsAt - new Date(String(failed?.lastTransitionTime)).getTime();
    // 2 s, 4 s, then 8 s nominal; jitter takes off at most 20%.
    t.ok(
      delay >= 2 ** attempt * 800 && delay <= 2 ** attempt * 1000,
      `the delay before attempt ${attempt + 1} is ${delay} ms`,
    );
    await waitFor(`attempt ${attempt + 1}`, async () => (await get()).status?.attempt === attempt + 1);
    // By the new Job's own timestamp (whole seconds, so compared with the second startsAt falls in).
    const created = String((await job(attempt + 1)).metadata?.creationTimestamp);
    t.ok(
      Date.parse(created) >= Math.floor(startsAt / 1000) * 1000,
      `the next attempt was not made before its time: due ${new Date(startsAt).toISOString()}, its Job created ${created}`,
    );
    t.equal((await get()).status?.configMapName, (await names(attempt + 1)).configMap);
  }
  t.ok(await job(1), 'old Jobs are kept for their logs');

  await finishJob(client, namespace, (await names(4)).job, 'Failed');
  await waitFor('phase Failed', async () => (await get()).status?.phase === 'Failed');
  const status = (await get()).status;
  t.match(status, {
    attempt: 4,
    message:
      /^attempt 4 failed \(the agent exited with code 1\); no attempts left \(retries.maxRetries is 3\); raise spec.retryAttempt to run again$/,
  });
  t.match(
    status?.conditions?.find((c) => c.type === 'Succeeded'),
    { status: 'False', reason: 'RetriesExhausted' },
  );
  t.equal(await httpStatusOf(job(5)), 404, 'no fifth attempt: three retries after the first');
});

t.test('raising spec.retryAttempt starts a new attempt and deletes the running Job', async (t) => {
  const { namespace, client } = await suite.start(t);
  await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-9', 9) });
  const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-9'));
  await waitFor('phase Running', async () => (await get()).status?.phase === 'Running');
  await client.request('PATCH', taskRunPath(namespace, 'pay-9'), {
    body: { spec: { retryAttempt: 3 } },
    contentType: 'application/merge-patch+json',
  });
  await waitFor('attempt 3 running', async () => {
    const status = (await get()).status;
    return status?.attempt === 3 && status.phase === 'Running';
  });
  const names = (attempt: number) => attemptNames(client, namespace, 'TaskRun', 'pay-9', attempt);
  const third = await names(3);
  t.match((await get()).status, { phase: 'Running', jobName: third.job, configMapName: third.configMap });
  t.ok(await client.request('GET', jobPath(namespace, third.job)));
  await waitFor(
    'the old running Job deleted',
    async () => (await httpStatusOf(client.request('GET', jobPath(namespace, (await names(1)).job)))) === 404,
  );
  t.equal(
    await httpStatusOf(client.request('GET', jobPath(namespace, (await names(2)).job))),
    404,
    'no attempt in between',
  );
});

t.test("a CodeRun's spec.maxRetries caps its retries in place of the config's", async (t) => {
  const config = testConfig((c) => {
    c.retries = { ...c.retries, maxRetries: 3, backoffSeconds: 1 };
  });
  const { namespace, client } = await suite.start(t, config);
  await client.request('POST', runPath('CodeRun', namespace), {
    body: sampleCodeRun('capped', { maxRetries: 1 }),
  });
  const get = () => client.request<CodeRun>('GET', runPath('CodeRun', namespace, 'capped'));
  const names = (attempt: number) => attemptNames(client, namespace, 'CodeRun', 'capped', attempt);
  for (const attempt of [1, 2]) {
    await waitFor(`attempt ${attempt}`, async () => (await get()).status?.attempt === attempt);
    await finishJob(client, namespace, (await names(attempt)).job, 'Failed');
  }
  await waitFor('phase Failed', async () => (await get()).status?.phase === 'Failed');
  t.match((await get()).status, {
    attempt: 2,
    message: /; no attempts left \(spec.maxRetries is 1\);/,
  });
  t.equal(
    await httpStatusOf(client.request('GET', jobPath(namespace, (await names(3)).job))),
    404,
    'one retry, not three',
  );
});
