// waitFor: a busy apiserver's errors are polled past, any other error ends the wait at once, a wait
// that runs out names what it saw last, and one that names no interval polls less and less often.
// within: a promise's outcome, or a timeout naming what was awaited.
import t from 'tap';
import { ApiError, RequestTimeoutError } from '../../../src/runtime/api-error.js';
import { MAX_POLL_MS, nextPoll, WaitTimeout, waitFor, within } from './wait.js';

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

t.test('a wait that names no interval polls less and less often, down to four times a second', async (t) => {
  const pauses = [50];
  while (pauses.length < 12) pauses.push(nextPoll(pauses[pauses.length - 1] as number));
  t.same(pauses.slice(0, 4), [50, 75, 113, 170], 'each pause half as long again as the last');
  t.equal(pauses[pauses.length - 1], MAX_POLL_MS, 'then the longest pause, and no longer');
  t.ok(
    pauses.every((p, i) => i === 0 || p >= (pauses[i - 1] as number)),
    'never shorter than the one before',
  );
});

t.test("within: the promise's value or rejection, else a timeout naming what it waited for", async (t) => {
  t.equal(await within('a value', Promise.resolve(7)), 7);
  const broken = new Error('broken');
  await t.rejects(within('a rejection', Promise.reject(broken)), broken);
  const err = await within('the promise that never settles', new Promise(() => {}), { timeoutMs: 20 }).catch(
    (e: unknown) => e,
  );
  t.type(err, WaitTimeout);
  t.match((err as Error).message, /waiting for the promise that never settles; last seen: not settled/);
});
