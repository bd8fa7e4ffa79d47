// decide() without any API, fake or real: each state of the union (and each situation of a run) in, the
// actions, the status and when to look again out. The table at the end is typed by the union, so a
// state added without a case here does not compile. The world it is given: test/harness/fakes/decide-world.ts.
import t from 'tap';
import {
  asItRuns,
  at,
  cause,
  claim,
  config,
  exited,
  facts,
  failedJob,
  input,
  job,
  kinds,
  now,
  run,
  running,
  written,
} from '../../../test/harness/fakes/decide-world.js';
import { CAPACITY_RECHECK_MS } from '../capacity/index.js';
import { taskRunStrategy } from '../kind/strategy.js';
import { cancelCause } from '../pods/index.js';
import { type Action, CONFLICT_RECHECK_MS, decide } from './decide.js';
import type { AttemptState, AttemptStateName } from './world.js';

t.test('the run situations', async (t) => {
  t.same(decide({ is: 'gone' }, input), { actions: [] }, 'gone: nothing');
  t.same(kinds(decide({ is: 'deleting', run: run() }, input)), ['finalize']);
  const fresh = decide({ is: 'new', run: run(undefined, { finalizers: [] }) }, input);
  t.same(kinds(fresh), ['addFinalizer'], 'the finalizer first, nothing else');
  const done = run({ phase: 'Succeeded', observedGeneration: 1 });
  t.same(decide({ is: 'finished', run: done }, input), { actions: [] }, 'finished, observed: nothing');
  const edited = run({ phase: 'Succeeded', observedGeneration: 1 }, { generation: 2 });
  t.match(written(decide({ is: 'finished', run: edited }, input)), {
    phase: 'Succeeded',
    observedGeneration: 2,
  });
  const ttl = {
    ...input,
    config: { ...config, cleanup: { ...config.cleanup, ttlSecondsAfterFinished: 60 } },
  };
  const expired = run({ phase: 'Failed', observedGeneration: 1, completionTime: '2026-11-22T09:58:00Z' });
  t.same(kinds(decide({ is: 'finished', run: expired }, ttl)), ['deleteRun'], 'past its TTL: deleted');
  const recent = run({ phase: 'Failed', observedGeneration: 1, completionTime: '2026-11-22T09:59:30Z' });
  t.same(decide({ is: 'finished', run: recent }, ttl), { actions: [], requeueAfter: 30_000 });
});

/** Each state: the actions it leads to, the phase it writes, when it is looked at again. */
const cases: {
  readonly [S in AttemptStateName]: Array<
    [string, AttemptState, string[], string | undefined, number | undefined]
  >;
} = {
  blocked: [
    [
      'waiting for a dependency',
      { ...facts, state: 'blocked', dependencies: { state: 'Waiting', tasks: [3] } },
      ['writeStatus'],
      'Pending',
      undefined,
    ],
    [
      'a dependency failed',
      { ...facts, state: 'blocked', dependencies: { state: 'Failed', tasks: [3] } },
      ['writeStatus'],
      'Failed',
      undefined,
    ],
  ],
  waiting: [
    [
      'no slot',
      { ...facts, state: 'waiting', refusal: { scope: 'global', limit: 1, running: 1, ahead: 0 } },
      ['writeStatus'],
      'Pending',
      CAPACITY_RECHECK_MS,
    ],
  ],
  overBudget: [
    [
      "its namespace's budget spent: looked at again at the reset or the capacity recheck",
      {
        ...facts,
        state: 'overBudget',
        refusal: {
          budget: 'team-a',
          spentUsd: '12.5',
          limitUsd: '10',
          window: 'month',
          resetsAt: new Date(now.getTime() + 5000),
          source: 'SelfReported',
        },
      },
      ['writeStatus'],
      'Pending',
      5000,
    ],
  ],
  creating: [
    [
      'files to render, workspace to make',
      { ...facts, state: 'creating', claim, files: { 'task.md': 'x' }, createWorkspace: true },
      ['reserve', 'create', 'writeStatus'],
      'Pending',
      undefined,
    ],
  ],
  unrenderable: [
    [
      'too big',
      { ...facts, state: 'unrenderable', message: 'cannot render the run: too big' },
      ['writeStatus'],
      'Failed',
      undefined,
    ],
  ],
  conflict: [
    [
      'a foreign Job, slot reserved',
      { ...facts, state: 'conflict', object: 'Job', message: 'taken', claim },
      ['release', 'writeStatus'],
      'Pending',
      CONFLICT_RECHECK_MS,
    ],
    [
      'a foreign ConfigMap seen in the cache',
      { ...facts, state: 'conflict', object: 'ConfigMap', message: 'taken' },
      ['writeStatus'],
      'Pending',
      CONFLICT_RECHECK_MS,
    ],
  ],
  active: [
    [
      'the agent runs',
      { ...facts, state: 'active', job, agent: running },
      ['writeStatus'],
      'Running',
      undefined,
    ],
    [
      'stuck, in its grace period',
      {
        ...facts,
        state: 'active',
        job,
        agent: { stage: 'waiting', reason: 'ImagePullFailed', message: 'no image' },
        stuck: { failsAt: new Date(now.getTime() + 5000) },
      },
      ['writeStatus'],
      'Pending',
      5000,
    ],
    [
      'stuck past its grace period',
      {
        ...facts,
        state: 'active',
        job,
        stuck: { failing: { reason: 'ImagePullFailed', message: 'no image' }, deadline: 12 },
      },
      ['annotateJob', 'writeStatus'],
      'Pending',
      undefined,
    ],
  ],
  settling: [
    ['the pod has not caught up', { ...facts, state: 'settling', recheckAfter: 2000 }, [], undefined, 2000],
  ],
  metering: [
    [
      'the ledger may lack its last calls: Running, saying so, until it has them',
      { ...facts, state: 'metering', job, agent: exited, recheckAfter: 10_000 },
      ['writeStatus'],
      'Running',
      10_000,
    ],
  ],
  backoff: [
    [
      'a retry later',
      {
        ...facts,
        state: 'backoff',
        job: failedJob,
        agent: exited,
        cause,
        retry: { attempt: 2, at: new Date(now.getTime() + 7000) },
      },
      ['writeStatus'],
      'Pending',
      7000,
    ],
  ],
  finished: [
    [
      'succeeded',
      { ...facts, state: 'finished', job, agent: exited, ending: { outcome: 'succeeded' } },
      ['writeStatus'],
      'Succeeded',
      undefined,
    ],
    [
      'not retryable',
      {
        ...facts,
        state: 'finished',
        job: failedJob,
        agent: exited,
        cause,
        ending: { outcome: 'notRetryable', exitCode: 1 },
      },
      ['writeStatus'],
      'Failed',
      undefined,
    ],
    [
      'retries exhausted',
      {
        ...facts,
        state: 'finished',
        job: failedJob,
        agent: exited,
        cause,
        ending: { outcome: 'exhausted', maxRetries: 3, attemptField: 'retryAttempt' },
      },
      ['writeStatus'],
      'Failed',
      undefined,
    ],
    [
      'stopped by a limit: not retried',
      {
        ...facts,
        state: 'finished',
        job: failedJob,
        agent: exited,
        cause,
        ending: { outcome: 'limited', stopReason: 'TurnLimitReached', attemptField: 'retryAttempt' },
      },
      ['writeStatus'],
      'Failed',
      undefined,
    ],
  ],
  cancelling: [
    [
      'its Job is stopped: the cause recorded and the deadline shortened',
      { ...facts, state: 'cancelling', job, agent: running, stop: { cause: cancelCause(), deadline: 30 } },
      ['annotateJob', 'writeStatus'],
      'Running',
      undefined,
    ],
    [
      'recorded: the Job controller terminates its pods',
      { ...facts, state: 'cancelling', job, agent: running },
      ['writeStatus'],
      'Running',
      undefined,
    ],
  ],
  cancelled: [
    [
      'before its attempt started: no Job is made',
      { ...facts, state: 'cancelled' },
      ['writeStatus'],
      'Cancelled',
      undefined,
    ],
    [
      'its attempt stopped: not retried',
      { ...facts, state: 'cancelled', job: failedJob, agent: exited, cause: cancelCause() },
      ['writeStatus'],
      'Cancelled',
      undefined,
    ],
  ],
};

t.test('a cancelled run ends Cancelled with what it spent and reported, and holds no slot', async (t) => {
  const usage = [{ attempt: 1, finishedAt: '2026-11-22T09:59:00Z', costUsd: '0.5', inputTokens: 10 }];
  const report = { result: { pullRequestUrl: 'https://github.com/o/r/pull/1' } };
  const stopped: AttemptState = {
    ...facts,
    state: 'cancelled',
    job: failedJob,
    agent: exited,
    cause: cancelCause(),
    usage,
    report,
  };
  const status = written(at(stopped, run({ phase: 'Running', attempt: 1, jobName: 'job-1' })));
  t.match(status, {
    phase: 'Cancelled',
    attempt: 1,
    jobName: 'job-1',
    pullRequestUrl: 'https://github.com/o/r/pull/1',
    usage: { costUsd: '0.5' },
  });
  t.match(
    status?.conditions?.find((c) => c.type === 'Succeeded'),
    { status: 'False', reason: 'Cancelled' },
  );
  t.ok(status?.completionTime, 'it has ended');
  const never = written(at({ ...facts, state: 'cancelled' }));
  t.equal(never?.attempt, undefined, 'cancelled before it started: no attempt recorded');
  t.equal(never?.jobName, undefined);
  t.match(never?.message, /cancelled \(spec.cancelled\) before attempt 1 started/);
});

for (const [name, list] of Object.entries(cases))
  t.test(`state ${name}`, async (t) => {
    for (const [what, state, actions, phase, requeueAfter] of list) {
      const plan = at(state);
      t.same(kinds(plan), actions, `${what}: actions`);
      t.equal(written(plan)?.phase, phase, `${what}: phase written`);
      t.equal(plan.requeueAfter, requeueAfter, `${what}: looked at again`);
      // The same state, already in status: no write, the same other actions.
      const settled = written(plan);
      if (settled) t.notOk(kinds(at(state, run(settled))).includes('writeStatus'), `${what}: written once`);
    }
  });

t.test('what is owed to earlier attempts comes first, after a reservation', async (t) => {
  const creating: AttemptState = { ...facts, state: 'creating', claim, createWorkspace: false };
  const owed = { superseded: job, causes: [{ job: failedJob, cause }] };
  const plan = decide({ is: 'attempt', run: run(), resolved: asItRuns(run()), owed, state: creating }, input);
  t.same(kinds(plan), ['reserve', 'deleteJob', 'annotateJob', 'create', 'writeStatus']);
  const create = plan.actions[3] as Action & { do: 'create' };
  t.notOk(create.configMap, 'its ConfigMap exists: not made again');
  t.notOk(create.workspace, 'its workspace exists');
  t.equal(create.job.metadata?.name, taskRunStrategy.jobName(run(), 1));
});

t.test('a status write carries its transition and Events', async (t) => {
  const plan = at(
    { ...facts, state: 'active', job, agent: running },
    run({ phase: 'Pending', attempt: 1, jobName: 'job-1' }),
  );
  const write = plan.actions.at(-1) as Action & { do: 'writeStatus' };
  t.same(write.transition, { from: 'Pending', to: 'Running', reason: 'AgentRunning' });
  t.same(
    write.events.map((e) => e.reason),
    ['AgentRunning'],
  );
  const again = at(
    { ...facts, state: 'active', job, agent: { ...running, pod: 'job-1-def' } },
    run(write.status),
  );
  const rewrite = again.actions.at(-1) as Action & { do: 'writeStatus' };
  t.equal(
    rewrite.transition,
    undefined,
    'a new pod name is no transition (phase, attempt and Job unchanged)',
  );
});

t.test('a run that just finished is timed for its TTL in the same plan', async (t) => {
  const ttl = {
    ...input,
    config: { ...config, cleanup: { ...config.cleanup, ttlSecondsAfterFinished: 600 } },
  };
  const done: AttemptState = {
    ...facts,
    state: 'finished',
    job: {
      ...job,
      status: { completionTime: '2026-11-22T09:59:00Z', conditions: [{ type: 'Complete', status: 'True' }] },
    },
    agent: exited,
    ending: { outcome: 'succeeded' },
  };
  const plan = decide(
    { is: 'attempt', run: run(), resolved: asItRuns(run()), owed: { causes: [] }, state: done },
    ttl,
  );
  t.same(kinds(plan), ['writeStatus']);
  t.equal(plan.requeueAfter, 540_000, 'looked at again when its TTL ends');
});
