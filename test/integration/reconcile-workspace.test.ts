// One run at a time per workspace volume, against the real apiserver and Job controller, with the
// shipped config (no per-service limit): a run whose workspace PVC is in use waits in Pending, names
// the run that has it, creates nothing, and starts once that run has finished — through its retries,
// and across a restart of the operator (the count is rebuilt from the cluster's runs and Jobs); a
// quality agent's CodeRun, which has a workspace of its own, runs beside the implementation agent of
// its service. A run of another submitter is not let into a workspace created for someone else.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import type { CodeRun, RunKindName, RunOf } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { jobWorkspace } from '../../src/controllers/capacity/holder-index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { activeJobs } from '../harness/operator/active-jobs.js';
import {
  attemptNames,
  finishJob,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  startOperator,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

/** The sample CodeRun of service payments, as the agent of `githubApp`. */
function codeRun(name: string, githubApp: string): CodeRun {
  const sample = parse(
    readFileSync(join(packageRoot(), 'config', 'samples', 'coderun.yaml'), 'utf8'),
  ) as CodeRun;
  return { ...sample, metadata: { name }, spec: { ...sample.spec, githubApp } };
}

/** The run helpers of one namespace. */
function runs(client: KubeClient, namespace: string) {
  const get = (kind: RunKindName, name: string) =>
    client.request<RunOf<RunKindName>>('GET', runPath(kind, namespace, name));
  const status = async (kind: RunKindName, name: string) => (await get(kind, name)).status;
  return {
    create: (kind: RunKindName, body: object) => client.request('POST', runPath(kind, namespace), { body }),
    status,
    running: async (kind: RunKindName, name: string) => (await status(kind, name))?.phase === 'Running',
    /** The run's Job (of `attempt`) from the API: undefined while there is none. */
    job: async (kind: RunKindName, name: string, attempt = 1) => {
      const { job } = await attemptNames(client, namespace, kind, name, attempt);
      const path = jobPath(namespace, job);
      return (await httpStatusOf(client.request('GET', path))) === 200
        ? client.request<KubeObject>('GET', path)
        : undefined;
    },
  };
}

const inUseBy = (holder: string) =>
  `workspace "workspace-payments" is in use by ${holder} (one run per workspace at a time); waiting for it to finish`;

t.test(
  'two runs of one workspace never run at once; the second names the first and starts after it',
  async (t) => {
    const namespace = await suite.namespace(t);
    // A quick retry, to see that the workspace stays the first run's through its backoff.
    const config = testConfig((c) => {
      c.retries = { ...c.retries, backoffSeconds: 1 };
    });
    t.equal(config.concurrency.perService, undefined, 'the shipped config has no per-service limit');
    let operator = await startOperator(t, cluster, namespace, config);
    // The test's own client: the operator's closes with it.
    const client = suite.admin(t);
    const jobs = await activeJobs(t, client, namespace);
    const r = runs(client, namespace);
    // A TaskRun of rex (the default agent) and a CodeRun of rex: implementation agents of one service
    // share its workspace, whatever their kinds.
    await r.create('TaskRun', sampleTaskRun('first', 7));
    await waitFor('the TaskRun running', () => r.running('TaskRun', 'first'));
    const firstJob = await r.job('TaskRun', 'first');
    t.equal(firstJob && jobWorkspace(firstJob), 'workspace-payments');
    await r.create('CodeRun', codeRun('second', '5DLabs-Rex'));
    const waiting = await waitFor('the CodeRun waiting', async () => {
      const status = await r.status('CodeRun', 'second');
      return status?.conditions?.find((c) => c.type === 'JobCreated')?.reason === 'WaitingForCapacity'
        ? status
        : undefined;
    });
    t.match(waiting, { phase: 'Pending', message: inUseBy('TaskRun/first') }, 'it names the run holding it');
    t.match(
      waiting.conditions?.find((c) => c.type === 'JobCreated'),
      {
        status: 'False',
        message: inUseBy('TaskRun/first'),
      },
    );
    t.notOk(waiting.attempt, 'not started');
    t.equal(await r.job('CodeRun', 'second'), undefined, 'no Job');
    // The reconcile records its Events after the status write: wait for the first, then match them.
    const waitEvents = await waitFor('the WaitingForCapacity Event of second', async () => {
      const events = await client.request<{ items: Array<{ reason?: string; message?: string }> }>(
        'GET',
        `/api/v1/namespaces/${namespace}/events`,
        { query: { fieldSelector: 'involvedObject.name=second' } },
      );
      const found = events.items.filter((e) => e.reason === 'WaitingForCapacity');
      return found.length > 0 ? found : undefined;
    });
    t.match(waitEvents, [{ message: inUseBy('TaskRun/first') }], 'one Event, naming the holder');

    // Another operator (a new leader, or this one restarted) sees the same from the cluster.
    await operator.stop();
    operator = await startOperator(t, cluster, namespace, config);
    await waitFor(
      'the CodeRun reconciled by the new operator',
      async () => (await operator.reconciles('coderun')) > 0,
    );
    t.match(await r.status('CodeRun', 'second'), { phase: 'Pending', message: inUseBy('TaskRun/first') });
    t.equal(await r.job('CodeRun', 'second'), undefined, 'still no Job');

    // A failed attempt is retried: the workspace stays the TaskRun's through the backoff.
    await finishJob(
      client,
      namespace,
      (await attemptNames(client, namespace, 'TaskRun', 'first')).job,
      'Failed',
    );
    await waitFor('the retry running', async () => {
      const status = await r.status('TaskRun', 'first');
      return status?.attempt === 2 && status.phase === 'Running';
    });
    t.match(await r.status('CodeRun', 'second'), { phase: 'Pending', message: inUseBy('TaskRun/first') });
    t.equal(await r.job('CodeRun', 'second'), undefined, 'no Job during the retry');

    await finishJob(
      client,
      namespace,
      (await attemptNames(client, namespace, 'TaskRun', 'first', 2)).job,
      'Complete',
    );
    await waitFor('the CodeRun running once the TaskRun succeeded', () => r.running('CodeRun', 'second'));
    t.equal((await r.status('TaskRun', 'first'))?.phase, 'Succeeded');
    t.equal(jobs.mostInOneWorkspace(), 1, 'never two active Jobs in one workspace');
  },
);

t.test('a quality agent, in a workspace of its own, runs while the implementation agent runs', async (t) => {
  const { namespace, client } = await suite.start(t, testConfig());
  const jobs = await activeJobs(t, client, namespace);
  const r = runs(client, namespace);
  await r.create('CodeRun', codeRun('rex', '5DLabs-Rex'));
  await waitFor('rex running', () => r.running('CodeRun', 'rex'));
  await r.create('CodeRun', codeRun('cleo', '5DLabs-Cleo'));
  await waitFor('cleo running too', () => r.running('CodeRun', 'cleo'));
  t.ok(await r.running('CodeRun', 'rex'), 'rex still runs');
  const workspaces = await Promise.all(
    ['rex', 'cleo'].map(async (name) => {
      const job = await r.job('CodeRun', name);
      return job && jobWorkspace(job);
    }),
  );
  t.same(workspaces, ['workspace-payments', 'workspace-payments-cleo'], 'each in its own workspace');
  t.equal(jobs.most(), 2, 'both Jobs active at once');

  // A second quality run of the service waits for the first one's workspace, not for rex.
  await r.create('CodeRun', codeRun('cleo-2', '5DLabs-Cleo'));
  await waitFor('cleo-2 waits for cleo', async () =>
    /workspace-payments-cleo" is in use by CodeRun\/cleo /.test(
      (await r.status('CodeRun', 'cleo-2'))?.message ?? '',
    ),
  );
  await finishJob(
    client,
    namespace,
    (await attemptNames(client, namespace, 'CodeRun', 'cleo')).job,
    'Complete',
  );
  await waitFor('cleo-2 running', () => r.running('CodeRun', 'cleo-2'));
  t.ok(await r.running('CodeRun', 'rex'), 'rex still runs');
  t.equal(jobs.mostInOneWorkspace(), 1, 'never two active Jobs in one workspace');
});

t.test(
  "another submitter's run does not join a workspace silently: it waits, named why; its own runs",
  async (t) => {
    const { namespace, client } = await suite.start(t, testConfig());
    const r = runs(client, namespace);
    const by = <T extends { metadata?: object }>(submitter: string, run: T): T => ({
      ...run,
      metadata: { ...run.metadata, annotations: { 'orchestrator.io/submitted-by': submitter } },
    });
    await r.create('TaskRun', by('alice', sampleTaskRun('alice-1', 7)));
    await waitFor("alice's run running", () => r.running('TaskRun', 'alice-1'));
    const claim = await client.request<KubeObject>(
      'GET',
      `/api/v1/namespaces/${namespace}/persistentvolumeclaims/workspace-payments`,
    );
    t.equal(
      claim.metadata?.annotations?.['orchestrator.io/submitted-by'],
      'alice',
      'the claim records whose',
    );
    await finishJob(
      client,
      namespace,
      (await attemptNames(client, namespace, 'TaskRun', 'alice-1')).job,
      'Complete',
    );

    // Bob's run of the same service, under the conventional name: not started, and told why and what to do.
    await r.create('CodeRun', by('bob', codeRun('bob-1', '5DLabs-Rex')));
    const refused = await waitFor("bob's run refused the workspace", async () => {
      const status = await r.status('CodeRun', 'bob-1');
      return /was created for the runs of alice/.test(status?.message ?? '') ? status : undefined;
    });
    t.match(refused, {
      phase: 'Pending',
      message:
        /^PersistentVolumeClaim workspace-payments was created for the runs of alice, and bob's run would share its checkout, git state and agent memory; set spec\.workspace\.pvcName to a workspace of your own \(e\.g\. workspace-payments-bob\)/,
    });
    t.equal(await r.job('CodeRun', 'bob-1'), undefined, "no Job in alice's workspace");

    // Alice's next run joins her workspace; bob's run naming its own workspace runs in it.
    await r.create('CodeRun', by('alice', codeRun('alice-2', '5DLabs-Rex')));
    await waitFor("alice's second run running", async (note) => {
      const status = await r.status('CodeRun', 'alice-2');
      note(status);
      return status?.phase === 'Running';
    });
    const own = codeRun('bob-2', '5DLabs-Rex');
    own.spec.workspace = { pvcName: 'workspace-payments-bob' };
    await r.create('CodeRun', by('bob', own));
    await waitFor("bob's run in his own workspace running", () => r.running('CodeRun', 'bob-2'));
    const bobJob = await r.job('CodeRun', 'bob-2');
    t.equal(bobJob && jobWorkspace(bobJob), 'workspace-payments-bob');
    t.match(await r.status('CodeRun', 'bob-1'), { phase: 'Pending' }, 'the refused run still waits');
  },
);
