// Which logs of a pod are due: those of the run's attempt whose containers ended, or are ending with
// the pod's deletion, and not kept yet.
import t from 'tap';
import { JOB, keptLogWorld } from '../../../test/harness/fakes/kept-logs.js';
import { attemptOf, dueLogs, podRun } from './logs-due.js';

const find = (w: ReturnType<typeof keptLogWorld>) => podRun(w.pod, w.jobs, () => w.runs);

t.test("the pod's run and attempt, through its Job", async (t) => {
  const w = keptLogWorld({ agent: 'running' });
  t.match(find(w), {
    ref: { kind: 'TaskRun', namespace: 'ns', name: 'pay-7', uid: 'u-1' },
    attempt: 2,
    jobName: JOB,
  });
  t.equal(attemptOf('TaskRun', w.run, 'another-job'), undefined, 'a Job of no attempt');
  const former = keptLogWorld({}, { status: { attempt: 3, jobName: 'payments-task-7-run-3-x' } });
  t.equal(find(former)?.attempt, 2, "a former attempt's Job, by the name the kind gives it");
  const other = keptLogWorld({});
  other.runs.set({ ...other.run, metadata: { ...other.run.metadata, uid: 'u-2' } });
  t.equal(find(other), undefined, 'a run of the name with another uid is another run');
  const impostor = keptLogWorld({});
  impostor.jobs.set({ ...impostor.job, metadata: { ...impostor.job.metadata, uid: 'j-2' } });
  t.equal(find(impostor), undefined, 'a pod naming the Job with another uid is not its');
  other.jobs.set({ metadata: { name: JOB, namespace: 'ns' } });
  t.equal(find(other), undefined, 'a Job no run controls');
});

t.test('ended containers are due; a running one only while its pod is deleted', async (t) => {
  const names = (w: ReturnType<typeof keptLogWorld>, done = (_: string) => false) => {
    const found = find(w);
    return found && dueLogs(w.pod, found, done).containers;
  };
  t.same(names(keptLogWorld({ 'prepare-workspace': 'terminated', agent: 'running' })), [
    { name: 'prepare-workspace', follow: false },
  ]);
  t.same(names(keptLogWorld({ 'prepare-workspace': 'terminated', agent: 'running' }, { deleting: true })), [
    { name: 'prepare-workspace', follow: false },
    { name: 'agent', follow: true },
  ]);
  t.same(
    names(keptLogWorld({ agent: 'waiting' }, { deleting: true })),
    [],
    'a container that never ran has no log',
  );
  t.same(
    names(keptLogWorld({ 'prepare-workspace': 'terminated', agent: 'terminated' }), (c) => c === 'agent'),
    [{ name: 'prepare-workspace', follow: false }],
    'one kept lately is not read again',
  );
  const kept = keptLogWorld(
    { 'prepare-workspace': 'terminated', agent: 'terminated' },
    { status: { logs: [{ attempt: 2, container: 'agent', bytes: 1 }] } },
  );
  t.same(names(kept), [{ name: 'prepare-workspace', follow: false }], 'one in status is not read again');
});
