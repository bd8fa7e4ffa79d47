// The run reconciler following its agent's pod, against an in-memory API and caches: the pod's state
// in status, a stuck pod's attempt failed at the end of its grace period (by our Job's deadline), the
// failure's cause recorded on the Job, a non-retryable exit code, the result document in status and
// Events, and a finished Job whose pod the cache has not caught up with.
import t from 'tap';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import {
  attemptJobName,
  condition,
  fixture,
  jobsPath,
  ownedJob,
  RUN_UID,
  statusWritten,
  taskRun,
} from '../../../test/harness/fakes/run-reconciler-fixture.js';
import { sampleSum } from '../../../test/harness/util/prometheus-text.js';
import type { TaskRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import type { KubeObject } from '../../runtime/index.js';
import { RESULT_PROTOCOL } from '../pods/agent-result.js';
import { FAILURE_ANNOTATION } from '../pods/failure-cause.js';

const JOB = attemptJobName();
const JOB_UID = 'job-uid-1';
const owner = { name: 'pay-7', uid: RUN_UID };
const reasonOf = (status: NonNullable<TaskRun['status']>) => condition(status, 'Succeeded')?.reason;
const events = (f: ReturnType<typeof fixture>) =>
  f.api.made('POST', /\/events$/).map((c) => (c.body as { reason: string; message: string }).reason);

function job(state: 'Active' | 'Complete' | 'Failed', at = '2026-11-22T09:30:00Z'): KubeObject {
  const j = ownedJob(JOB, owner, state, at);
  return {
    ...j,
    metadata: { ...j.metadata, uid: JOB_UID, resourceVersion: '41' },
    status: { ...(j.status as object), startTime: '2026-11-22T09:00:00Z' },
  };
}

type State = Record<string, unknown>;
function pod(agent: State, extra: { scheduledAt?: string; init?: State } = {}): KubeObject {
  return {
    metadata: {
      name: `${JOB}-x7k2p`,
      namespace: 'ns',
      creationTimestamp: '2026-11-22T09:00:01Z',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: JOB, uid: JOB_UID, controller: true }],
    },
    status: {
      phase: 'Pending',
      conditions: [
        {
          type: 'PodScheduled',
          status: 'True',
          lastTransitionTime: extra.scheduledAt ?? '2026-11-22T09:00:02Z',
        },
      ],
      initContainerStatuses: [
        {
          name: 'prepare-workspace',
          state: extra.init ?? { terminated: { exitCode: 0, reason: 'Completed' } },
        },
      ],
      containerStatuses: [{ name: 'agent', state: agent }],
    },
  };
}

/** A clock stopped at `iso`. */
const at = (iso: string) => new ManualClock(new Date(iso));

t.test(
  'a pod stuck on a missing Secret: Pending with the kubelet’s message, then failed by its deadline',
  async (t) => {
    const waiting = { waiting: { reason: 'CreateContainerConfigError', message: 'secret "gh" not found' } };
    const early = fixture({ clock: at('2026-11-22T09:01:02Z') });
    early.addRun(taskRun());
    early.addJob(job('Active'));
    early.pods.onAdd(pod(waiting));
    const grace = loadDefaultConfig().job.stuckPodGraceSeconds;
    t.same(
      await early.reconcile(),
      { requeueAfter: grace * 1000 - 60_000 },
      'looked at again when the grace ends',
    );
    const pending = statusWritten(early);
    t.equal(pending.phase, 'Pending');
    t.equal(reasonOf(pending), 'ContainerConfigError');
    t.match(
      pending.message,
      /container agent: CreateContainerConfigError: secret "gh" not found; the attempt fails at /,
    );
    t.equal(early.api.made('PATCH').length, 0, 'nothing failed yet');
    t.same(events(early), ['ContainerConfigError']);

    const late = fixture({ clock: at('2026-11-22T09:10:00Z') });
    late.addRun(taskRun());
    late.addJob(job('Active'));
    late.pods.onAdd(pod(waiting));
    await late.reconcile();
    const [patch] = late.api.made('PATCH', `${jobsPath}/${JOB}`);
    const body = patch?.body as {
      metadata: { resourceVersion: string; annotations: Record<string, string> };
      spec: object;
    };
    t.same(
      body.spec,
      { activeDeadlineSeconds: 600 },
      'a deadline the Job has passed: the Job controller fails it',
    );
    t.equal(body.metadata.resourceVersion, '41', 'guarded by the Job’s resourceVersion');
    t.match(JSON.parse(body.metadata.annotations[FAILURE_ANNOTATION] ?? '{}'), {
      reason: 'ContainerConfigError',
      message: /secret "gh" not found \(for longer than job.stuckPodGraceSeconds, 300 s\)/,
    });
    t.match(statusWritten(late).message, /; failing the attempt$/);
  },
);

t.test(
  'a failed agent: its exit code and last words are recorded on the Job and fill the message',
  async (t) => {
    const f = fixture({ clock: at('2026-11-22T09:30:10Z') });
    f.addRun(taskRun());
    f.addJob(job('Failed'));
    const exited = { terminated: { exitCode: 2, reason: 'Error', message: 'step 1\nfatal: push rejected' } };
    f.pods.onAdd({ ...pod(exited), status: { ...(pod(exited).status as object), phase: 'Failed' } });
    await f.reconcile();
    const patch = f.api.made('PATCH', `${jobsPath}/${JOB}`)[0]?.body as {
      metadata: { annotations: Record<string, string> };
    };
    t.same(JSON.parse(patch.metadata.annotations[FAILURE_ANNOTATION] ?? '{}'), {
      reason: 'AgentFailed',
      message: 'the agent exited with code 2: fatal: push rejected',
      exitCode: 2,
    });
    const status = statusWritten(f);
    t.equal(status.phase, 'Pending', 'a retry waits: nothing runs');
    t.match(
      status.message,
      /^attempt 1 failed \(the agent exited with code 2: fatal: push rejected\); attempt 2 starts at /,
    );
    t.equal(status.podName, `${JOB}-x7k2p`);
  },
);

t.test('an exit code in retries.nonRetryableExitCodes ends the run without a retry', async (t) => {
  const config = loadDefaultConfig();
  config.retries.nonRetryableExitCodes = [3];
  const f = fixture({ config, clock: at('2026-11-22T09:31:00Z') });
  f.addRun(taskRun());
  const failed = job('Failed');
  failed.metadata = {
    ...failed.metadata,
    annotations: {
      ...failed.metadata?.annotations,
      [FAILURE_ANNOTATION]: JSON.stringify({
        reason: 'AgentFailed',
        message: 'the agent exited with code 3',
        exitCode: 3,
      }),
    },
  };
  f.addJob(failed);
  t.equal(await f.reconcile(), undefined);
  t.equal(f.api.made('PATCH').length, 0, 'the recorded cause is read, not written again');
  const status = statusWritten(f);
  t.equal(status.phase, 'Failed');
  t.equal(reasonOf(status), 'NotRetryable');
  t.equal(
    status.message,
    'attempt 1 failed (the agent exited with code 3); exit code 3 is not retried (retries.nonRetryableExitCodes)',
  );
  t.equal(f.api.made('POST', jobsPath).length, 0, 'no second attempt');
});

t.test(
  'a succeeded agent’s result document: status fields, the message and a PullRequestOpened event',
  async (t) => {
    const f = fixture({ clock: at('2026-11-22T09:31:00Z') });
    f.addRun(taskRun());
    f.addJob(job('Complete'));
    const doc = {
      protocol: RESULT_PROTOCOL,
      pullRequestUrl: 'https://github.com/acme/p/pull/9',
      sessionId: 's-1',
      workCompleted: true,
    };
    f.pods.onAdd(pod({ terminated: { exitCode: 0, reason: 'Completed', message: JSON.stringify(doc) } }));
    await f.reconcile();
    const status = statusWritten(f);
    t.match(status, {
      phase: 'Succeeded',
      pullRequestUrl: doc.pullRequestUrl,
      sessionId: 's-1',
      workCompleted: true,
      message: `attempt 1 succeeded: pull request ${doc.pullRequestUrl}`,
    });
    t.same(events(f), ['JobSucceeded', 'PullRequestOpened']);
    const text = await f.registry.metrics();
    const labels = { kind: 'TaskRun', agent: loadDefaultConfig().defaultAgent };
    t.equal(sampleSum(text, 'orchestrator_runs_finished_total', { ...labels, outcome: 'Succeeded' }), 1);
    t.equal(sampleSum(text, 'orchestrator_run_duration_seconds_count', labels), 1);
    t.equal(sampleSum(text, 'orchestrator_pull_requests_opened_total', labels), 1);
  },
);

t.test('a malformed result document: a warning event, the run still succeeds', async (t) => {
  const f = fixture({ clock: at('2026-11-22T09:31:00Z') });
  f.addRun(taskRun());
  f.addJob(job('Complete'));
  const bad = JSON.stringify({ protocol: RESULT_PROTOCOL, pullRequestUrl: 'not a url' });
  f.pods.onAdd(pod({ terminated: { exitCode: 0, reason: 'Completed', message: bad } }));
  await f.reconcile();
  t.equal(statusWritten(f).phase, 'Succeeded');
  t.notOk(statusWritten(f).pullRequestUrl);
  t.same(events(f), ['JobSucceeded', 'InvalidResult']);
  const warning = f.api.made('POST', /\/events$/)[1]?.body as { type: string; message: string };
  t.equal(warning.type, 'Warning');
  t.match(warning.message, /result.pullRequestUrl must be an http\(s\) URL/);
});

t.test(
  'a finished Job whose pod the cache still shows running: no final status until the pod catches up',
  async (t) => {
    const f = fixture({ clock: at('2026-11-22T09:30:05Z') });
    f.addRun(taskRun());
    f.addJob(job('Complete'));
    (f.jobs.get('ns', JOB)?.status as Record<string, unknown>).completionTime = '2026-11-22T09:30:00Z';
    f.pods.onAdd(pod({ running: { startedAt: '2026-11-22T09:00:03Z' } }));
    t.same(await f.reconcile(), { requeueAfter: 2000 });
    t.equal(f.api.made('PUT').length, 0, 'nothing written');
    // Long after the Job finished, the pod's last word is not waited for any more.
    const later = fixture({ clock: at('2026-11-22T09:35:00Z') });
    later.addRun(taskRun());
    later.addJob(job('Complete'));
    later.pods.onAdd(pod({ running: {} }));
    await later.reconcile();
    t.equal(statusWritten(later).phase, 'Succeeded');
  },
);

t.test('results are kept from an earlier attempt until the agent reports anew', async (t) => {
  const f = fixture({ clock: at('2026-11-22T09:31:00Z') });
  f.addRun(
    taskRun('pay-7', 7, {
      status: { attempt: 1, phase: 'Running', sessionId: 's-old', pullRequestUrl: 'https://x/pull/1' },
    }),
  );
  f.addJob(job('Active'));
  f.pods.onAdd(pod({ running: {} }));
  await f.reconcile();
  t.match(statusWritten(f), {
    phase: 'Running',
    sessionId: 's-old',
    pullRequestUrl: 'https://x/pull/1',
    podName: `${JOB}-x7k2p`,
  });
  t.notOk(events(f).includes('PullRequestOpened'), 'not a new pull request');
});
