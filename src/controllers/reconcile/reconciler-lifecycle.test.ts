// The run reconciler over a run's life, against an in-memory API and caches: a raised spec attempt
// replacing a running one, a failed attempt's retry (timed by an injected clock), a finished run whose
// spec is edited, the cleanup TTL, and the finalizer when the run is deleted.
import t from 'tap';
import { apiError } from '../../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import {
  attemptConfigMapName,
  attemptJobName,
  condition,
  configMapsPath,
  FINALIZER,
  fixture,
  jobsPath,
  ownedJob,
  pvcsPath,
  RUN_UID,
  runsPath,
  statusWritten,
  taskRun,
  writes,
} from '../../../test/harness/fakes/run-reconciler-fixture.js';
import { LABELS, type TaskRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { CONFLICT_REQUEUE_MS } from './decide.js';
import { retryDelayMs } from './retry.js';

const runPath = `${runsPath}/pay-7`;
const statusPath = `${runPath}/status`;
const owner = { name: 'pay-7', uid: RUN_UID };
const JOB_1 = attemptJobName(1);
const JOB_2 = attemptJobName(2);
/** A status as the reconciler writes it for `phase` at `generation` (all conditions observed then). */
function finishedStatus(phase: 'Succeeded' | 'Failed', generation: number): NonNullable<TaskRun['status']> {
  const at = '2026-11-22T09:40:00Z';
  const c = (type: string, status: 'True' | 'False', reason: string, message: string) => ({
    type,
    status,
    reason,
    message,
    observedGeneration: generation,
    lastTransitionTime: at,
  });
  const ok = phase === 'Succeeded';
  return {
    phase,
    attempt: 1,
    observedGeneration: generation,
    jobName: JOB_1,
    configMapName: attemptConfigMapName(1),
    completionTime: at,
    message: ok ? 'attempt 1 succeeded' : 'attempt 1 failed (Test)',
    conditions: [
      c('ConfigMapReady', 'True', 'Created', `ConfigMap ${attemptConfigMapName(1)}`),
      c('JobCreated', 'True', 'Created', `Job ${JOB_1}`),
      c('Succeeded', ok ? 'True' : 'False', ok ? 'JobSucceeded' : 'RetriesExhausted', 'done'),
    ],
  };
}

t.test(
  'a raised spec attempt deletes the running Job of the old one and creates the new attempt',
  async (t) => {
    const f = fixture();
    f.addRun(
      taskRun('pay-7', 7, {
        metadata: { generation: 2 },
        spec: { retryAttempt: 2 },
        status: { phase: 'Running', attempt: 1, observedGeneration: 1, jobName: JOB_1 },
      }),
    );
    f.addJob(ownedJob(JOB_1, owner, 'Active'));
    t.equal(await f.reconcile(), undefined);
    t.same(writes(f), [
      `DELETE ${jobsPath}/${JOB_1}`,
      `POST ${configMapsPath}`,
      `POST ${pvcsPath}`,
      `POST ${configMapsPath}`,
      `POST ${jobsPath}`,
      `PUT ${statusPath}`,
    ]);
    t.same(
      f.api.made('DELETE')[0]?.body,
      {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Foreground',
        preconditions: { uid: `uid-of-job-${JOB_1}` },
      },
      'its pods go first (the log keeper still finds their attempt); only that very Job is deleted',
    );
    t.same(
      f.api.made('POST', /\/(configmaps|jobs)$/).map((c) => (c.body as TaskRun).metadata?.name),
      [attemptConfigMapName(2), f.templates.agentShell.name, JOB_2],
    );
    t.match(statusWritten(f), {
      phase: 'Pending',
      attempt: 2,
      observedGeneration: 2,
      jobName: JOB_2,
      message: `attempt 2: Job ${JOB_2} has not created its pod yet`,
    });

    // An old attempt that already finished is kept (its logs), not deleted.
    const kept = fixture();
    kept.addRun(
      taskRun('pay-7', 7, {
        spec: { retryAttempt: 2 },
        status: { phase: 'Failed', attempt: 1, observedGeneration: 1 },
      }),
    );
    kept.addJob(ownedJob(JOB_1, owner, 'Failed'));
    await kept.reconcile();
    t.equal(kept.api.made('DELETE').length, 0);
    t.equal(kept.api.made('POST', jobsPath).length, 1, 'attempt 2 is created');
  },
);

t.test('a failed Job with retries left schedules the next attempt after its backoff', async (t) => {
  const failedAt = new Date('2026-11-22T09:30:00Z');
  const clock = new ManualClock(failedAt);
  clock.advanceTo(1000);
  const f = fixture({ clock });
  f.addRun(taskRun('pay-7', 7, { status: { phase: 'Running', attempt: 1, observedGeneration: 1 } }));
  f.addJob(ownedJob(JOB_1, owner, 'Failed', failedAt.toISOString()));
  const { retries } = loadDefaultConfig();
  const delay = retryDelayMs(retries, 1, `${RUN_UID}/1`);
  const result = await f.reconcile();
  t.same(result, { requeueAfter: delay - 1000 }, 'looked at again when the backoff has passed');
  t.ok((result?.requeueAfter ?? 0) > 0);
  t.same(writes(f), [`PUT ${statusPath}`], 'no new attempt yet');
  const status = statusWritten(f);
  const startsAt = new Date(failedAt.getTime() + delay).toISOString();
  t.match(status, {
    phase: 'Pending',
    attempt: 1,
    message: `attempt 1 failed (Test: Failed in the test); attempt 2 starts at ${startsAt}`,
  });
  t.match(condition(status, 'Succeeded'), { status: 'Unknown', reason: 'RetryScheduled' });
  t.match(f.api.made('POST', /\/events$/)[0]?.body, { type: 'Warning', reason: 'RetryScheduled' });

  // Once the backoff has passed, attempt 2 is made.
  clock.advanceTo(delay);
  f.runs.set({ ...taskRun(), status } as TaskRun);
  f.api.calls.length = 0;
  t.equal(await f.reconcile(), undefined);
  t.same(
    f.api.made('POST', jobsPath).map((c) => (c.body as TaskRun).metadata?.name),
    [JOB_2],
  );
  t.match(statusWritten(f), {
    phase: 'Pending',
    attempt: 2,
    message: `attempt 2: Job ${JOB_2} has not created its pod yet`,
  });
});

t.test('a finished run whose spec was edited: only observedGeneration follows, nothing runs', async (t) => {
  for (const phase of ['Succeeded', 'Failed'] as const) {
    const f = fixture();
    const before = finishedStatus(phase, 1);
    f.addRun(
      taskRun('pay-7', 7, {
        metadata: { generation: 2 },
        spec: { model: 'claude-opus-4-20250514' },
        status: before,
      }),
    );
    f.addJob(ownedJob(JOB_1, owner, phase === 'Succeeded' ? 'Complete' : 'Failed'));
    t.equal(await f.reconcile(), undefined, `${phase}: nothing to look at again (no cleanup TTL)`);
    t.same(writes(f), [`PUT ${statusPath}`], `${phase}: one status write and nothing else`);
    t.same(
      statusWritten(f),
      {
        ...before,
        observedGeneration: 2,
        conditions: before.conditions?.map((c) => ({ ...c, observedGeneration: 2 })),
      },
      `${phase}: the status is unchanged but for the generation it observed`,
    );
    // With the status caught up, a reconcile writes nothing.
    f.runs.set({
      ...taskRun(),
      metadata: { ...taskRun().metadata, generation: 2 },
      status: statusWritten(f),
    });
    f.api.calls.length = 0;
    t.equal(await f.reconcile(), undefined);
    t.same(f.api.calls, [], `${phase}: caught up, no call`);
  }
});

t.test('a finished run is deleted once cleanup.ttlSecondsAfterFinished has passed', async (t) => {
  const config = { ...loadDefaultConfig(), cleanup: { ttlSecondsAfterFinished: 60 } };
  const finished = Date.parse('2026-11-22T09:40:00Z');
  const clock = new ManualClock(new Date(finished));
  clock.advanceTo(20_000);
  const f = fixture({ config, clock });
  f.addRun(taskRun('pay-7', 7, { status: finishedStatus('Succeeded', 1) }));
  t.same(await f.reconcile(), { requeueAfter: 40_000 }, 'looked at again when it expires');
  t.same(f.api.calls, []);
  clock.advanceTo(60_000);
  t.equal(await f.reconcile(), undefined);
  t.same(f.api.calls, [
    {
      method: 'DELETE',
      path: runPath,
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy: 'Background',
        preconditions: { uid: RUN_UID },
      },
    },
  ]);
});

t.test(
  'a deleted run: the Jobs and ConfigMaps its uid controls are deleted, each by uid, then the finalizer is removed',
  async (t) => {
    const deleting = () =>
      taskRun('pay-7', 7, {
        metadata: { deletionTimestamp: '2026-11-22T10:00:00Z', finalizers: ['someone/else', FINALIZER] },
        status: { phase: 'Running', attempt: 1 },
      });
    const f = fixture();
    f.addRun(deleting());
    f.addJob(ownedJob(JOB_1, owner));
    // Labelled with the run's name, but controlled by another object (a CodeRun pay-7, an older pay-7).
    const foreign = ownedJob('pay-7-elsewhere', { name: 'pay-7', uid: 'uid-of-another-pay-7' });
    f.addJob(foreign);
    const cm = (name: string, uid: string) => ({
      metadata: {
        name,
        namespace: 'ns',
        uid: `uid-of-cm-${name}`,
        labels: { [LABELS.run]: 'pay-7' },
        ...(uid ? { ownerReferences: [{ ...foreign.metadata?.ownerReferences?.[0], uid }] } : {}),
      },
    });
    f.api.seed(configMapsPath, cm(attemptConfigMapName(1), RUN_UID) as never);
    f.api.seed(configMapsPath, cm('labelled-by-someone', '') as never);
    f.api.seed(configMapsPath, { metadata: { name: 'theirs', labels: { [LABELS.run]: 'pay-8' } } });
    t.equal(await f.reconcile(), undefined);
    const selector = `${LABELS.run}=pay-7`;
    t.same(
      f.api.calls.map((c) => [c.method, c.path, c.query]),
      [
        ['GET', jobsPath, { labelSelector: selector }],
        ['DELETE', `${jobsPath}/${JOB_1}`, undefined],
        ['GET', configMapsPath, { labelSelector: selector }],
        ['DELETE', `${configMapsPath}/${attemptConfigMapName(1)}`, undefined],
        ['PATCH', runPath, undefined],
      ],
    );
    t.same(
      f.api.made('DELETE').map((c) => c.body),
      [
        {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          preconditions: { uid: `uid-of-job-${JOB_1}` },
        },
        {
          apiVersion: 'v1',
          kind: 'DeleteOptions',
          propagationPolicy: 'Background',
          preconditions: { uid: `uid-of-cm-${attemptConfigMapName(1)}` },
        },
      ],
    );
    t.same(f.api.made('PATCH')[0], {
      method: 'PATCH',
      path: runPath,
      contentType: 'application/json-patch+json',
      body: [
        { op: 'test', path: '/metadata/finalizers', value: ['someone/else', FINALIZER] },
        { op: 'remove', path: '/metadata/finalizers/1' },
      ],
    });
    t.notOk(f.api.objects.has(`${jobsPath}/${JOB_1}`), 'the run’s Job is gone');
    t.notOk(f.api.objects.has(`${configMapsPath}/${attemptConfigMapName(1)}`), 'the run’s ConfigMap is gone');
    t.ok(f.api.objects.has(`${jobsPath}/pay-7-elsewhere`), 'a labelled Job another uid controls stays');
    t.ok(
      f.api.objects.has(`${configMapsPath}/labelled-by-someone`),
      'a labelled ConfigMap without owner stays',
    );
    t.ok(f.api.objects.has(`${configMapsPath}/theirs`), 'another run’s ConfigMap stays');

    // Gone (404) or replaced under the name (409, the uid precondition) between list and delete: fine.
    for (const status of [404, 409]) {
      const raced = fixture();
      raced.addRun(deleting());
      raced.addJob(ownedJob(JOB_1, owner));
      raced.api.failNext('DELETE', `${jobsPath}/${JOB_1}`, apiError(status));
      t.equal(await raced.reconcile(), undefined, `${status} on a delete: the finalizer still goes`);
      t.equal(raced.api.made('PATCH', runPath).length, 1);
    }
    for (const status of [409, 422]) {
      const raced = fixture();
      raced.addRun(deleting());
      raced.api.failNext('PATCH', runPath, apiError(status));
      t.same(
        await raced.reconcile(),
        { requeueAfter: CONFLICT_REQUEUE_MS },
        `${status} on the finalizer patch: try again`,
      );
    }
    // Already gone: done.
    const gone = fixture();
    gone.runs.set(deleting());
    t.equal(await gone.reconcile(), undefined, '404 on the patch: the run is gone');
  },
);

t.test('a cleanup the apiserver will never accept does not wedge the deletion', async (t) => {
  const f = fixture();
  f.addRun(
    taskRun('pay-7', 7, {
      metadata: { deletionTimestamp: '2026-11-22T10:00:00Z', finalizers: [FINALIZER] },
      status: { phase: 'Running', attempt: 1 },
    }),
  );
  f.api.failNext('GET', jobsPath, apiError(400));
  t.equal(await f.reconcile(), undefined);
  t.same(
    f.api.made('PATCH').map((c) => c.body),
    [
      [
        { op: 'test', path: '/metadata/finalizers', value: [FINALIZER] },
        { op: 'remove', path: '/metadata/finalizers/0' },
      ],
    ],
    'the finalizer is removed: the garbage collector takes the owned objects',
  );
  const event = f.api.made('POST', /\/events$/)[0]?.body as { type: string; reason: string; message: string };
  t.match(event, {
    type: 'Warning',
    reason: 'CleanupRefused',
    message: /cleanup of the run's jobs was refused/,
  });
  t.equal(f.api.made('GET', configMapsPath).length, 1, 'the ConfigMaps were still cleaned up');
});
