// The run reconciler cancelling a run (spec.cancelled), against an in-memory API and caches: the
// running attempt's Job stopped by its deadline and kept, the run Cancelled with no attempt after it.
import t from 'tap';
import { apiError } from '../../../test/harness/fakes/fake-api.js';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import {
  attemptJobName,
  condition,
  fixture,
  jobsPath,
  ownedJob,
  RUN_UID,
  runsPath,
  statusWritten,
  taskRun,
  writes,
} from '../../../test/harness/fakes/run-reconciler-fixture.js';
import type { TaskRun } from '../../api/index.js';
import { CONFLICT_REQUEUE_MS } from './decide.js';

const statusPath = `${runsPath}/pay-7/status`;
const owner = { name: 'pay-7', uid: RUN_UID };
const JOB_1 = attemptJobName(1);

/** A run cancelled while its first attempt's Job, started `ms` ago, is active. */
function cancelledWhileRunning(ms: number) {
  const started = new Date('2026-11-22T09:30:00Z');
  const clock = new ManualClock(started);
  clock.advanceTo(ms);
  const f = fixture({ clock });
  const running = { phase: 'Running' as const, attempt: 1, observedGeneration: 1, jobName: JOB_1 };
  f.addRun(taskRun('pay-7', 7, { metadata: { generation: 2 }, spec: { cancelled: true }, status: running }));
  const active = ownedJob(JOB_1, owner, 'Active');
  f.addJob({ ...active, status: { startTime: started.toISOString() } });
  return f;
}
t.test(
  'spec.cancelled: the running Job is stopped, then the run ends Cancelled and no attempt follows',
  async (t) => {
    const f = cancelledWhileRunning(90_000);
    await f.reconcile();
    const patch = f.api.made('PATCH', `${jobsPath}/${JOB_1}`)[0]?.body as {
      metadata: { annotations: Record<string, string> };
      spec: { activeDeadlineSeconds: number };
    };
    t.equal(patch?.spec.activeDeadlineSeconds, 90, 'its deadline is now: the Job controller stops its pods');
    t.match(JSON.parse(patch.metadata.annotations['orchestrator.io/failure'] ?? '{}'), {
      reason: 'Cancelled',
    });
    t.notOk(
      writes(f).some((w) => w.startsWith('DELETE')),
      'the Job is kept, for its record',
    );
    t.match(statusWritten(f), { phase: 'Running', message: /being cancelled/ });

    // The Job controller failed it at its deadline: Cancelled, not retried, nothing new made.
    f.runs.set({
      ...taskRun('pay-7', 7, { spec: { cancelled: true } }),
      status: statusWritten(f),
    } as TaskRun);
    const failed = ownedJob(JOB_1, owner, 'Failed', '2026-11-22T09:31:30Z');
    const cause = JSON.stringify({ reason: 'Cancelled', message: 'cancelled' });
    f.addJob({
      ...failed,
      metadata: { ...failed.metadata, annotations: { 'orchestrator.io/failure': cause } },
    });
    f.api.calls.length = 0;
    t.equal(await f.reconcile(), undefined, 'nothing to look at again');
    t.same(writes(f), [`PUT ${statusPath}`], 'no new attempt: no Job, no ConfigMap');
    const status = statusWritten(f);
    t.match(status, { phase: 'Cancelled', attempt: 1, completionTime: '2026-11-22T09:31:30Z' });
    t.match(condition(status, 'Succeeded'), { status: 'False', reason: 'Cancelled' });
  },
);

t.test('spec.cancelled before the first attempt: nothing is made and the run is Cancelled', async (t) => {
  const f = fixture();
  f.addRun(taskRun('pay-7', 7, { spec: { cancelled: true } }));
  await f.reconcile();
  t.same(writes(f), [`PUT ${statusPath}`]);
  t.match(statusWritten(f), { phase: 'Cancelled' });
  t.equal(statusWritten(f).attempt, undefined, 'no attempt started');
});

t.test(
  'spec.cancelled while the Job controller updates the Job: the refused patch is tried again, not left to an event',
  async (t) => {
    const f = cancelledWhileRunning(30_000);
    // The Job controller's count update got in first: the Job's resourceVersion moved on, and that
    // update passes no event filter (its state is still Active).
    f.api.failNext('PATCH', `${jobsPath}/${JOB_1}`, apiError(409, 'Conflict'));
    const first = await f.reconcile();
    t.match(first, { requeueAfter: CONFLICT_REQUEUE_MS }, 'looked at again shortly');
    t.notOk(
      writes(f).some((w) => w.startsWith('PUT')),
      'no status claims the Job is stopping while its deadline was refused',
    );
    f.api.calls.length = 0;
    await f.reconcile();
    const patches = f.api.made('PATCH', `${jobsPath}/${JOB_1}`);
    t.equal(patches.length, 1, 'the next look patches the Job');
    const patched = patches[0]?.body as { spec?: { activeDeadlineSeconds?: number } } | undefined;
    t.equal(patched?.spec?.activeDeadlineSeconds, 30, 'its deadline is now');
    t.match(statusWritten(f), { phase: 'Running', message: /being cancelled/ });
  },
);
