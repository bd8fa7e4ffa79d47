// The manager's log tells a run's story: one info line per change of phase, attempt or Job (with the
// run, attempt, Job, old and new phase and the reason), none for a reconcile that changes nothing.
import { Writable } from 'node:stream';
import pino from 'pino';
import t from 'tap';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import {
  attemptJobName,
  fixture,
  ownedJob,
  RUN_UID,
  statusWritten,
  taskRun,
} from '../../../test/harness/fakes/run-reconciler-fixture.js';
import type { KubeObject } from '../../runtime/index.js';

/** A log destination keeping each JSON line parsed. */
function logLines() {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, sink };
}

t.test('a run from creation to success logs one line per transition', async (t) => {
  const { lines, sink } = logLines();
  const clock = new ManualClock(new Date('2026-11-22T09:31:00Z'));
  const f = fixture({ logger: pino({ level: 'info' }, sink), clock });
  const job = attemptJobName();
  const step = async () => {
    await f.reconcile();
    const written = f.api.made('PUT').length ? statusWritten(f) : undefined;
    const run = f.runs.get('ns', 'pay-7');
    if (run && written) f.runs.set({ ...run, status: written });
  };
  f.addRun(taskRun());
  await step(); // objects made: Pending
  const active = ownedJob(job, { name: 'pay-7', uid: RUN_UID }, 'Active');
  const jobUid = active.metadata?.uid ?? '';
  f.addJob(active);
  await step(); // nothing changed: no line
  const pod = (state: object): KubeObject => ({
    metadata: {
      name: `${job}-abcde`,
      namespace: 'ns',
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job, uid: jobUid, controller: true }],
    },
    status: { phase: 'Running', containerStatuses: [{ name: 'agent', state }] },
  });
  f.pods.onAdd(pod({ running: { startedAt: '2026-11-22T09:30:00Z' } }));
  await step(); // Running
  await step(); // again: no line
  f.addJob(ownedJob(job, { name: 'pay-7', uid: RUN_UID }, 'Complete'));
  f.pods.onUpdate(pod({}), pod({ terminated: { exitCode: 0, reason: 'Completed' } }));
  await step(); // Succeeded
  const transitions = lines.filter((l) => typeof l.phase === 'string' && 'run' in l);
  t.same(
    transitions.map((l) => [l.from, l.phase, l.reason]),
    [
      [undefined, 'Pending', 'PodPending'],
      ['Pending', 'Running', 'AgentRunning'],
      ['Running', 'Succeeded', 'JobSucceeded'],
    ],
    'one line per change, none for the reconciles that changed nothing',
  );
  t.match(transitions[0], {
    level: 30,
    run: { kind: 'TaskRun', namespace: 'ns', name: 'pay-7' },
    attempt: 1,
    job,
    msg: 'run new → Pending',
  });
});

t.test('at debug level, each reconcile says "reconciled successfully" with the seed\'s fields', async (t) => {
  const { lines, sink } = logLines();
  const f = fixture({ logger: pino({ level: 'debug' }, sink) });
  f.addRun(taskRun());
  await f.reconcile();
  const reconciled = lines.filter((l) => l.msg === 'TaskRun reconciled successfully');
  t.equal(reconciled.length, 1);
  t.match(reconciled[0], {
    level: 20,
    taskrun: 'pay-7',
    namespace: 'ns',
    job: attemptJobName(),
    phase: 'Pending',
    attempt: 1,
  });

  const quiet = logLines();
  const info = fixture({ logger: pino({ level: 'info' }, quiet.sink) });
  info.addRun(taskRun());
  await info.reconcile();
  t.notOk(
    quiet.lines.some((l) => l.msg === 'TaskRun reconciled successfully'),
    'not at info level',
  );
});
