import t from 'tap';
import type { KubeObject } from '../../runtime/index.js';
import type { AgentState } from '../pods/index.js';
import { desiredStatus, sameStatus } from './status.js';
import type { AttemptFacts } from './world.js';

const now = () => new Date('2026-01-01T00:00:10Z');
const base: AttemptFacts = {
  attempt: 1,
  configMapName: 'cm-1',
  jobName: 'job-1',
  retryCount: 0,
};
const exhausted = { outcome: 'exhausted' as const, maxRetries: 3 };
const gone: AgentState = { stage: 'waiting', reason: 'PodPending', message: 'no pod' };
const job = (
  conditions: { type: string; reason?: string; message?: string }[] = [],
  extra = {},
): KubeObject => ({
  metadata: { name: 'job-1', creationTimestamp: '2026-01-01T00:00:00Z' },
  status: {
    startTime: '2026-01-01T00:00:01Z',
    conditions: conditions.map((c) => ({ status: 'True', lastTransitionTime: '2026-01-01T00:00:05Z', ...c })),
    ...extra,
  },
});
const conditions = (status: ReturnType<typeof desiredStatus>) =>
  Object.fromEntries((status.conditions ?? []).map((c) => [c.type, `${c.status}/${c.reason}`]));

const running: AgentState = { stage: 'running', pod: 'job-1-x7k2p' };

t.test('a running agent: Running, with the attempt, its objects and its pod', async (t) => {
  const status = desiredStatus(undefined, 3, { ...base, state: 'active', job: job(), agent: running }, now);
  t.match(status, {
    phase: 'Running',
    attempt: 1,
    configMapName: 'cm-1',
    jobName: 'job-1',
    observedGeneration: 3,
    startTime: '2026-01-01T00:00:01Z',
    podName: 'job-1-x7k2p',
    retryCount: 0,
    message: 'attempt 1 is running (pod job-1-x7k2p)',
  });
  t.same(conditions(status), {
    ConfigMapReady: 'True/Created',
    JobCreated: 'True/Created',
    Succeeded: 'Unknown/AgentRunning',
  });
  t.ok(
    status.conditions?.every(
      (c) => c.observedGeneration === 3 && c.lastTransitionTime === '2026-01-01T00:00:10Z',
    ),
  );
  t.ok(
    sameStatus(
      status,
      desiredStatus(status, 3, { ...base, state: 'active', job: job(), agent: running }, () => new Date()),
    ),
    'recomputing changes nothing',
  );
});

t.test('a complete Job: Succeeded, completionTime from the Job', async (t) => {
  const status = desiredStatus(
    undefined,
    1,
    {
      ...base,
      state: 'finished',
      job: job([{ type: 'Complete' }], { completionTime: '2026-01-01T00:00:06Z' }),
      agent: gone,
      ending: { outcome: 'succeeded' },
    },
    now,
  );
  t.match(status, {
    phase: 'Succeeded',
    completionTime: '2026-01-01T00:00:06Z',
    message: 'attempt 1 succeeded',
  });
  t.equal(conditions(status).Succeeded, 'True/JobSucceeded');
});

t.test('a failed Job: a retry waits in Pending, the last attempt fails the run', async (t) => {
  const failed = job([{ type: 'Failed', reason: 'DeadlineExceeded', message: 'too slow' }]);
  const retry = { attempt: 2, at: new Date('2026-01-01T00:00:35Z') };
  const waiting = desiredStatus(
    undefined,
    1,
    { ...base, state: 'backoff', job: failed, agent: gone, retry },
    now,
  );
  t.match(waiting, {
    phase: 'Pending',
    message: 'attempt 1 failed (DeadlineExceeded: too slow); attempt 2 starts at 2026-01-01T00:00:35.000Z',
  });
  t.equal(conditions(waiting).Succeeded, 'Unknown/RetryScheduled');
  const final = desiredStatus(
    waiting,
    1,
    { ...base, state: 'finished', job: failed, agent: gone, ending: exhausted },
    now,
  );
  t.match(final, {
    phase: 'Failed',
    completionTime: '2026-01-01T00:00:05Z',
    message: /no attempts left \(retries.maxRetries is 3\)/,
  });
  t.equal(conditions(final).Succeeded, 'False/RetriesExhausted');
  const own = { ...base, state: 'finished' as const, job: failed, agent: gone };
  const capped = desiredStatus(
    waiting,
    1,
    { ...own, ending: { ...exhausted, maxRetriesFrom: 'spec.maxRetries' } },
    now,
  );
  t.match(capped.message, /no attempts left \(spec.maxRetries is 3\)/, "the run's own cap named");
});

t.test('what stops an attempt before its Job: a render error fails, a conflict waits', async (t) => {
  const render = desiredStatus(undefined, 1, { ...base, state: 'unrenderable', message: 'too big' }, now);
  t.match(render, { phase: 'Failed', message: 'too big' });
  t.same(conditions(render), {
    ConfigMapReady: 'False/RenderFailed',
    JobCreated: 'Unknown/NotCreated',
    Succeeded: 'False/RenderFailed',
  });
  const conflict = desiredStatus(
    undefined,
    1,
    { ...base, state: 'conflict', object: 'Job', message: 'taken' },
    now,
  );
  t.match(conflict, { phase: 'Pending', message: 'taken' });
  t.same(conditions(conflict), {
    ConfigMapReady: 'True/Created',
    JobCreated: 'False/NameConflict',
    Succeeded: 'Unknown/NameConflict',
  });
  t.notOk(sameStatus(render, conflict));
});

t.test('waiting for capacity: Pending, JobCreated False with the reason, no attempt yet', async (t) => {
  const message =
    '1 of 1 runs of service "payments" are running (concurrency.perService); waiting for one to finish';
  const refusal = { scope: 'service' as const, service: 'payments', limit: 1, running: 1, ahead: 0 };
  const status = desiredStatus(undefined, 1, { ...base, state: 'waiting', refusal }, now);
  t.match(status, { phase: 'Pending', message });
  t.notOk(status.attempt, 'not started');
  t.notOk(status.jobName);
  t.same(conditions(status), {
    ConfigMapReady: 'Unknown/NotCreated',
    JobCreated: 'False/WaitingForCapacity',
    Succeeded: 'Unknown/WaitingForCapacity',
  });
  t.equal(status.conditions?.find((c) => c.type === 'JobCreated')?.message, message);
  t.ok(
    sameStatus(status, desiredStatus(status, 1, { ...base, state: 'waiting', refusal }, now)),
    'no rewrite',
  );
});

t.test('what the egress proxy refused is kept, and a failure says it', async (t) => {
  const egressRefusals = {
    total: 2,
    hosts: [{ host: 'evil.test', port: 443, count: 2, lastRefused: '2026-01-01T00:00:04Z' }],
  };
  const active = desiredStatus(
    { egressRefusals },
    1,
    { ...base, state: 'active', job: job(), agent: running },
    now,
  );
  t.same(active.egressRefusals, egressRefusals, 'kept while running');
  t.equal(active.message, 'attempt 1 is running (pod job-1-x7k2p)');
  const failed = desiredStatus(
    active,
    1,
    {
      ...base,
      state: 'finished',
      job: job([{ type: 'Failed', reason: 'BackoffLimitExceeded' }]),
      agent: gone,
      ending: exhausted,
    },
    now,
  );
  t.equal(failed.phase, 'Failed');
  t.match(failed.message, /; the egress proxy refused 2 requests of its agent \(evil\.test:443 ×2\)/);
  t.match(
    failed.conditions?.find((c) => c.type === 'Succeeded')?.message,
    /the egress proxy refused 2 requests/,
  );
  t.same(failed.egressRefusals, egressRefusals);
});
