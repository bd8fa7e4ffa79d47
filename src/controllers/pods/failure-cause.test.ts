import t from 'tap';
import type { KubeObject } from '../../runtime/index.js';
import { FAILURE_ANNOTATION, jobFailure, recordedCause } from './failure-cause.js';

const FAILED_AT = '2026-03-01T10:30:00Z';

function job(conditions: unknown[] = [], annotation?: string): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'task-1-a1',
      namespace: 'ns',
      ...(annotation === undefined ? {} : { annotations: { [FAILURE_ANNOTATION]: annotation } }),
    },
    status: { conditions },
  };
}
const failed = (reason?: string, message?: string) => ({
  type: 'Failed',
  status: 'True',
  lastTransitionTime: FAILED_AT,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

t.test('recordedCause reads the annotation', async (t) => {
  const cause = { reason: 'AgentFailed', message: 'the agent exited with code 2', exitCode: 2 };
  t.strictSame(recordedCause(job([], JSON.stringify(cause))), cause);
  t.strictSame(
    recordedCause(
      job([], JSON.stringify({ reason: 'ImagePullFailed', message: 'pull failed', extra: true })),
    ),
    { reason: 'ImagePullFailed', message: 'pull failed' },
    'no exit code, unknown fields dropped',
  );
  t.strictSame(
    recordedCause(job([], JSON.stringify({ ...cause, exitCode: '2' }))),
    { reason: 'AgentFailed', message: 'the agent exited with code 2' },
    'an exit code that is not a number is dropped',
  );
  t.strictSame(
    recordedCause(job([], JSON.stringify({ ...cause, exitCode: 0 }))),
    { ...cause, exitCode: 0 },
    'exit code 0 kept',
  );
});

t.test('recordedCause: no annotation, or one that is not a cause, is no cause', async (t) => {
  t.equal(recordedCause({}), undefined, 'no metadata');
  t.equal(recordedCause(job()), undefined, 'no annotation');
  for (const raw of [
    '',
    '{not json',
    'null',
    '42',
    '"AgentFailed"',
    '[]',
    JSON.stringify({ message: 'no reason' }),
    JSON.stringify({ reason: 'AgentFailed' }),
    JSON.stringify({ reason: 1, message: 'x' }),
    JSON.stringify({ reason: 'AgentFailed', message: null }),
  ])
    t.equal(recordedCause(job([], raw)), undefined, JSON.stringify(raw));
});

t.test('jobFailure: the recorded cause wins over the Job condition', async (t) => {
  const cause = { reason: 'AgentFailed', message: 'the agent exited with code 1: tests failed', exitCode: 1 };
  t.strictSame(
    jobFailure(
      job(
        [failed('BackoffLimitExceeded', 'Job has reached the specified backoff limit')],
        JSON.stringify(cause),
      ),
    ),
    {
      at: new Date(FAILED_AT),
      why: cause.message,
      cause,
    },
  );
});

t.test('jobFailure without a recorded cause: the Failed condition', async (t) => {
  t.strictSame(
    jobFailure(job([failed('DeadlineExceeded', 'Job was active longer than specified deadline')])),
    {
      at: new Date(FAILED_AT),
      why: 'DeadlineExceeded: Job was active longer than specified deadline',
    },
  );
  t.strictSame(jobFailure(job([failed('BackoffLimitExceeded')])), {
    at: new Date(FAILED_AT),
    why: 'BackoffLimitExceeded',
  });
  t.strictSame(jobFailure(job([failed(undefined, 'only a message')])), {
    at: new Date(FAILED_AT),
    why: 'only a message',
  });
  t.strictSame(
    jobFailure(job([], '{broken')),
    { at: undefined, why: 'the Job failed' },
    'an unreadable cause',
  );
  t.strictSame(jobFailure(job()), { at: undefined, why: 'the Job failed' }, 'no condition');
  t.strictSame(
    jobFailure(job([{ type: 'Failed', status: 'False', reason: 'X', lastTransitionTime: FAILED_AT }])),
    { at: undefined, why: 'the Job failed' },
    'a Failed condition that does not hold',
  );
  const noTime = { type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' };
  t.strictSame(
    jobFailure(job([noTime])),
    { at: undefined, why: 'BackoffLimitExceeded' },
    'no transition time',
  );
});
