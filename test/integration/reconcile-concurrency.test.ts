// Concurrency limits against the real apiserver: a run whose service (or the whole orchestrator) has
// no free slot waits in Pending, says why, and creates nothing; when a Job finishes the oldest waiting
// run starts; the limits hold across run kinds and under concurrent reconciles (a watch on the Jobs
// records the most ever active at once); and a limit raised by a config reload lets waiting runs start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { parse } from 'yaml';
import type { ControllerConfig, TaskRun } from '../../src/api/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { activeJobs } from '../harness/operator/active-jobs.js';
import {
  attemptNames,
  configMapPath,
  finishJob,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

const limited = (perService: number, global: number): ControllerConfig =>
  testConfig((c) => {
    c.concurrency = { perService, global };
  });

/** The TaskRun helpers of one namespace. */
function taskRuns(client: KubeClient, namespace: string) {
  const get = (name: string) => client.request<TaskRun>('GET', taskRunPath(namespace, name));
  const jobCreated = async (name: string) =>
    (await get(name)).status?.conditions?.find((c) => c.type === 'JobCreated');
  return {
    get,
    // Each in its own workspace, so that only the limits under test hold a run back (one run per
    // workspace at a time is reconcile-workspace.test.ts's).
    create: (name: string, taskId: number, spec: Partial<TaskRun['spec']> = {}) =>
      client.request<TaskRun>('POST', taskRunPath(namespace), {
        body: sampleTaskRun(name, taskId, { workspace: { pvcName: `workspace-${name}` }, ...spec }),
      }),
    running: async (name: string) => (await get(name)).status?.phase === 'Running',
    waiting: async (name: string) => (await jobCreated(name))?.reason === 'WaitingForCapacity',
    jobCreated,
    /** The Job and ConfigMap names of the run's first attempt. */
    names: (name: string) => attemptNames(client, namespace, 'TaskRun', name),
    job: async (name: string) => (await attemptNames(client, namespace, 'TaskRun', name)).job,
  };
}

t.test('a service at its limit: the other runs wait, create nothing, and start one by one', async (t) => {
  const { namespace, client } = await suite.start(t, limited(1, 10));
  const jobs = await activeJobs(t, client, namespace);
  const runs = taskRuns(client, namespace);
  await Promise.all([runs.create('pay-1', 1), runs.create('pay-2', 2), runs.create('pay-3', 3)]);
  const names = ['pay-1', 'pay-2', 'pay-3'];
  const states = async () =>
    Promise.all(
      names.map(async (n) =>
        (await runs.running(n)) ? 'running' : (await runs.waiting(n)) ? 'waiting' : '?',
      ),
    );
  await waitFor(
    'one running, two waiting',
    async () => (await states()).sort().join() === 'running,waiting,waiting',
  );
  t.equal(jobs.names().length, 1, 'exactly one Job');
  const first = names[(await states()).indexOf('running')] as string;
  for (const name of names.filter((n) => n !== first)) {
    const run = await runs.get(name);
    const message =
      '1 of 1 runs of service "payments" are running (concurrency.perService); waiting for one to finish';
    t.match(run.status, { phase: 'Pending', message }, `${name} says why it waits`);
    t.match(await runs.jobCreated(name), { status: 'False', reason: 'WaitingForCapacity', message });
    t.notOk(run.status?.attempt, 'not started');
    const would = await runs.names(name);
    t.equal(
      await httpStatusOf(client.request('GET', configMapPath(namespace, would.configMap))),
      404,
      'no ConfigMap',
    );
    t.equal(await httpStatusOf(client.request('GET', jobPath(namespace, would.job))), 404, 'no Job');
    // The reconcile records its Events after the status write: wait for the first, then count them.
    const waitEvents = await waitFor(`the WaitingForCapacity Event of ${name}`, async () => {
      const events = await client.request<{ items: KubeObject[] }>(
        'GET',
        `/api/v1/namespaces/${namespace}/events`,
        { query: { fieldSelector: `involvedObject.name=${name}` } },
      );
      const found = events.items.filter((e) => (e as { reason?: string }).reason === 'WaitingForCapacity');
      return found.length > 0 ? found : undefined;
    });
    t.equal(waitEvents.length, 1, 'one Event for the transition');
    t.match(waitEvents[0], { type: 'Normal', message: /waiting for one to finish$/ });
  }

  // pay-N runs task N.
  const runningNames = () => Promise.all(names.map(runs.running));
  let running = first;
  for (const left of [2, 1]) {
    await finishJob(client, namespace, await runs.job(running), 'Complete');
    await waitFor(`the next run started (${left} left)`, async () => {
      const now = await runningNames();
      return now.filter(Boolean).length === 1 && !now[names.indexOf(running)];
    });
    running = names[(await runningNames()).indexOf(true)] as string;
  }
  await finishJob(client, namespace, await runs.job(running), 'Complete');
  await waitFor(
    'the last run succeeded',
    async () => (await runs.get(running)).status?.phase === 'Succeeded',
  );
  t.equal(jobs.names().length, 3, 'each run had its Job');
  t.equal(jobs.most(), 1, 'never more than one active Job');
});

t.test('the oldest waiting run gets the free slot', async (t) => {
  const { namespace, client } = await suite.start(t, limited(1, 10));
  const jobs = await activeJobs(t, client, namespace);
  const runs = taskRuns(client, namespace);
  await runs.create('c-first', 1);
  await waitFor('c-first running', () => runs.running('c-first'));
  // Named against their age, so that the order of names cannot pass for the order of creation.
  await runs.create('b-older', 2);
  await waitFor('b-older waiting', () => runs.waiting('b-older'));
  await sleep(1100); // creationTimestamp has one-second precision
  await runs.create('a-newer', 3);
  await waitFor('a-newer waiting', () => runs.waiting('a-newer'));
  t.ok(
    String((await runs.get('b-older')).metadata?.creationTimestamp) <
      String((await runs.get('a-newer')).metadata?.creationTimestamp),
  );

  await finishJob(client, namespace, await runs.job('c-first'), 'Complete');
  await waitFor('b-older running', () => runs.running('b-older'));
  t.ok(await runs.waiting('a-newer'), 'the newer run still waits');
  await finishJob(client, namespace, await runs.job('b-older'), 'Failed');
  // The default config retries a failed attempt: the run keeps its slot through the backoff.
  await waitFor('retry scheduled', async () =>
    /starts at/.test((await runs.get('b-older')).status?.message ?? ''),
  );
  t.ok(await runs.waiting('a-newer'), 'a retrying run keeps its slot');
  t.equal(jobs.most(), 1, 'never more than one active Job');
});

t.test('the global limit holds across services and kinds', async (t) => {
  const { namespace, client } = await suite.start(t, limited(1, 2));
  const jobs = await activeJobs(t, client, namespace);
  const runs = taskRuns(client, namespace);
  await runs.create('pay-1', 1);
  await waitFor('pay-1 running', () => runs.running('pay-1'));
  // A CodeRun of the same service shares its slot with the TaskRun.
  const codeRun = parse(
    readFileSync(join(packageRoot(), 'config', 'samples', 'coderun.yaml'), 'utf8'),
  ) as KubeObject;
  const codeRuns = `/apis/orchestrator.io/v1/namespaces/${namespace}/coderuns`;
  await client.request('POST', codeRuns, { body: codeRun });
  const codeRunStatus = async () =>
    (await client.request<TaskRun>('GET', `${codeRuns}/${codeRun.metadata?.name}`)).status;
  await waitFor(
    'the CodeRun waits for its service',
    async () =>
      (await codeRunStatus())?.phase === 'Pending' && /payments/.test((await codeRunStatus())?.message ?? ''),
  );
  await runs.create('bill-1', 1, { serviceName: 'billing' });
  await waitFor('another service runs', () => runs.running('bill-1'));
  await runs.create('ship-1', 1, { serviceName: 'shipping' });
  await waitFor('a third service waits', () => runs.waiting('ship-1'));
  t.equal(
    (await runs.get('ship-1')).status?.message,
    '2 of 2 runs in total are running (concurrency.global); waiting for one to finish',
  );
  t.equal(
    await httpStatusOf(client.request('GET', jobPath(namespace, await runs.job('ship-1')))),
    404,
    'no Job',
  );

  await finishJob(client, namespace, await runs.job('bill-1'), 'Complete');
  await waitFor('the slot went to the waiting service', () => runs.running('ship-1'));
  t.equal((await codeRunStatus())?.phase, 'Pending', 'the CodeRun still waits for its own service');
  await finishJob(client, namespace, await runs.job('pay-1'), 'Complete');
  await waitFor('the CodeRun runs', async () => (await codeRunStatus())?.phase === 'Running');
  t.equal(jobs.most(), 2, 'never more than two active Jobs');
});

t.test('many runs reconciled at once never take more slots than there are', async (t) => {
  const config = limited(2, 3);
  const { namespace, client } = await suite.start(t, config);
  const jobs = await activeJobs(t, client, namespace);
  const runs = taskRuns(client, namespace);
  const services = ['payments', 'billing'];
  const names = services.flatMap((service) =>
    [1, 2, 3, 4].map((id) => ({ name: `${service}-${id}`, service, id })),
  );
  await Promise.all(names.map((r) => runs.create(r.name, r.id, { serviceName: r.service })));
  const count = async (check: (name: string) => Promise<boolean>) =>
    (await Promise.all(names.map((r) => check(r.name)))).filter(Boolean).length;
  await waitFor(
    '3 running, 5 waiting',
    async () => (await count(runs.running)) === 3 && (await count(runs.waiting)) === 5,
  );
  t.equal(jobs.names().length, 3, 'exactly three Jobs');

  // A raised limit in a reloaded config lets waiting runs start (at their next recheck).
  config.concurrency = { perService: 4, global: 5 };
  await waitFor('two more started', async () => (await count(runs.running)) === 5);
  t.equal(await count(runs.waiting), 3);
  t.equal(jobs.most(), 5, 'never more active Jobs than the limit in force');
});
