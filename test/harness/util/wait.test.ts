// waitFor: a busy apiserver's errors are polled past, any other error ends the wait at once, and a
// wait that runs out names what it saw last.
import t from 'tap';
import { ApiError, RequestTimeoutError } from '../../../src/runtime/api-error.js';
import { WaitTimeout, waitFor } from './wait.js';

t.test('no answer in time, 429, 503 and 504 are "not yet": the check runs again', async (t) => {
  const errors = [
    new RequestTimeoutError('GET /api/v1/pods', 30_000),
    new ApiError(429, 'TooManyRequests', 'throttled'),
    new ApiError(503, 'ServiceUnavailable', 'storage is (re)initializing'),
    new ApiError(504, 'Timeout', 'etcdserver: request timed out'),
  ];
  let calls = 0;
  const value = await waitFor(
    'the fifth call',
    () => {
      const err = errors[calls++];
      if (err) throw err;
      return 'done';
    },
    { intervalMs: 1 },
  );
  t.equal(value, 'done');
  t.equal(calls, 5, 'each busy answer was polled past');
});

t.test('any other error ends the wait at once', async (t) => {
  let calls = 0;
  const forbidden = new ApiError(403, 'Forbidden', 'no');
  await t.rejects(
    waitFor('never', () => {
      calls++;
      throw forbidden;
    }),
    forbidden,
  );
  t.equal(calls, 1);
  await t.rejects(
    waitFor('never', () => {
      throw new TypeError('a bug in the check');
    }),
    TypeError,
  );
});

t.test('a wait that runs out on busy answers says so', async (t) => {
  const err = await waitFor(
    'a busy apiserver',
    () => {
      throw new RequestTimeoutError('GET /apis/x', 30_000);
    },
    { timeoutMs: 50, intervalMs: 5 },
  ).catch((e: unknown) => e);
  t.type(err, WaitTimeout);
  t.match(
    (err as Error).message,
    /waiting for a busy apiserver; last seen: GET \/apis\/x: no answer within 30000 ms/,
  );
});
