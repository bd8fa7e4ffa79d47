import t from 'tap';
import { runFinished } from '../api/index.js';
import type { KubeObject } from '../runtime/index.js';
import { exitCode, progressLines, summaryLines } from './progress.js';

const at = new Date(2025, 0, 1, 12, 0, 1);
const condition = (type: string, status: string, reason: string, message = '') => ({
  type,
  status,
  reason,
  message,
  lastTransitionTime: '2025-01-01T12:00:00Z',
});
const run = (status: object, generation = 1): KubeObject => ({
  metadata: { name: 'r', generation, creationTimestamp: '2025-01-01T11:59:00Z' },
  status,
});

t.test('one line per change: attempt, each changed condition, else the phase', async (t) => {
  t.same(progressLines(undefined, run({}), at), ['12:00:01 Pending   waiting for the controller']);
  const running = run({
    phase: 'Running',
    attempt: 1,
    jobName: 'payments-task-7-run-1',
    conditions: [
      condition('JobCreated', 'True', 'Created', 'Job payments-task-7-run-1 created'),
      condition('Succeeded', 'Unknown', 'JobRunning'),
    ],
  });
  t.same(progressLines(run({ phase: 'Pending' }), running, at), [
    '12:00:01 Running   attempt 1: Job payments-task-7-run-1',
    '12:00:01 Running   JobCreated=True (Created) Job payments-task-7-run-1 created',
    '12:00:01 Running   Succeeded=Unknown (JobRunning)',
  ]);
  t.same(progressLines(running, running, at), [], 'nothing changed, nothing printed');
  const done = run({
    ...(running.status as object),
    phase: 'Succeeded',
    message: 'attempt 1 succeeded',
    conditions: [
      condition('JobCreated', 'True', 'Created', 'Job payments-task-7-run-1 created'),
      condition('Succeeded', 'True', 'JobSucceeded', 'attempt 1 succeeded'),
    ],
  });
  t.same(progressLines(running, done, at), [
    '12:00:01 Succeeded Succeeded=True (JobSucceeded) attempt 1 succeeded',
  ]);
});

t.test('finished (what wait waits for): a final phase of the attempt the spec asks for', async (t) => {
  const at = (status: object, retryAttempt = 1) => ({ ...run(status), spec: { retryAttempt } });
  t.ok(runFinished('TaskRun', at({ phase: 'Failed', attempt: 2 }, 2)));
  t.notOk(runFinished('TaskRun', at({ phase: 'Failed', attempt: 1 }, 2)), 'a raised attempt is pending');
  t.notOk(runFinished('TaskRun', at({ phase: 'Running', attempt: 1 })));
  t.ok(
    runFinished('TaskRun', {
      ...at({ phase: 'Succeeded', attempt: 1, observedGeneration: 1 }),
      metadata: { generation: 2 },
    }),
    'an edit of another spec field asks for nothing to run',
  );
});

t.test('a failed run: the pull request if there is one, else why it failed', async (t) => {
  const failed = {
    phase: 'Failed',
    attempt: 1,
    podName: 'job-1-abcde',
    startTime: '2025-01-01T12:00:00Z',
    completionTime: '2025-01-01T12:00:30Z',
    message: 'attempt 1 failed: the agent exited with code 3\nlast lines of its log',
    summary: 'the agent exited with status 3',
    workCompleted: false,
    conditions: [condition('Succeeded', 'False', 'RetriesExhausted')],
  };
  t.same(summaryLines('TaskRun', 'r', run(failed), 'failed', at), [
    'TaskRun r failed: (RetriesExhausted) attempt 1 failed: the agent exited with code 3',
    '  Phase:          Failed',
    '  Attempt:        1',
    '  Duration:       30s',
    '  Pod:            job-1-abcde',
    '  Summary:        the agent exited with status 3',
    '  Work completed: false',
    '  Message:        attempt 1 failed: the agent exited with code 3\nlast lines of its log',
  ]);
  const withPr = run({ ...failed, pullRequestUrl: 'https://github.com/acme/p/pull/2' });
  t.equal(
    summaryLines('CodeRun', 'r', withPr, 'failed', at)[0],
    'CodeRun r failed; pull request https://github.com/acme/p/pull/2',
  );
  t.equal(summaryLines('DocsRun', 'r', run({ phase: 'Failed' }), 'failed', at)[0], 'DocsRun r failed');
});

t.test('summary and exit codes', async (t) => {
  const done = run({
    phase: 'Succeeded',
    attempt: 2,
    jobName: 'j',
    startTime: '2025-01-01T12:00:00Z',
    completionTime: '2025-01-01T12:01:05Z',
    message: 'attempt 2 succeeded',
    pullRequestUrl: 'https://github.com/acme/p/pull/1',
  });
  t.same(summaryLines('CodeRun', 'r', done, 'succeeded', at), [
    'CodeRun r succeeded: pull request https://github.com/acme/p/pull/1',
    '  Phase:          Succeeded',
    '  Attempt:        2',
    '  Duration:       65s',
    '  Job:            j',
    '  Pull request:   https://github.com/acme/p/pull/1',
    '  Message:        attempt 2 succeeded',
  ]);
  t.equal(
    summaryLines('TaskRun', 'r', run({ phase: 'Succeeded' }), 'succeeded', at)[0],
    'TaskRun r succeeded',
  );
  t.match(
    summaryLines('TaskRun', 'r', run({ phase: 'Running' }), 'timeout', at, '5s')[0],
    /^timed out after 5s waiting for TaskRun r; it goes on \(phase Running\)/,
  );
  t.same(
    (['succeeded', 'failed', 'timeout', 'interrupted', 'deleted'] as const).map(exitCode),
    [0, 1, 2, 130, 1],
  );
});
