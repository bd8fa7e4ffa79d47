import t from 'tap';
import {
  MAX_BACKOFF_SECONDS,
  retryAfterFailure,
  retryDelayMs,
  runRetryPolicy,
  stableRandom,
} from './retry.js';

const policy = { maxRetries: 3, backoffSeconds: 30 };
const failedAt = new Date('2026-01-01T00:00:00Z');

t.test('delays double per failure, lose at most 20% to jitter, and are capped', async (t) => {
  for (const [failures, nominal] of [
    [1, 30],
    [2, 60],
    [3, 120],
    [20, MAX_BACKOFF_SECONDS],
  ] as const) {
    const ms = retryDelayMs(policy, failures, 'seed');
    t.ok(ms <= nominal * 1000 && ms >= nominal * 800, `${failures} failures: ${ms} ms`);
  }
  t.equal(retryDelayMs(policy, 2, 'a'), retryDelayMs(policy, 2, 'a'), 'stable for one seed');
  t.not(stableRandom('a'), stableRandom('b'), 'different runs spread out');
});

t.test('maxRetries retries (1 + maxRetries attempts) per spec attempt', async (t) => {
  t.match(retryAfterFailure(policy, 1, 1, failedAt, 'u'), { attempt: 2 });
  t.match(retryAfterFailure(policy, 1, 2, failedAt, 'u'), { attempt: 3 });
  t.match(retryAfterFailure(policy, 1, 3, failedAt, 'u'), { attempt: 4 }, 'the third retry');
  t.equal(retryAfterFailure(policy, 1, 4, failedAt, 'u'), undefined, 'attempts 1 to 4 made: 3 retries');
  t.match(
    retryAfterFailure(policy, 3, 3, failedAt, 'u'),
    { attempt: 4 },
    'a raised spec attempt counts afresh',
  );
  t.match(retryAfterFailure({ ...policy, maxRetries: 1 }, 1, 1, failedAt, 'u'), { attempt: 2 }, 'one retry');
  t.equal(retryAfterFailure({ ...policy, maxRetries: 1 }, 1, 2, failedAt, 'u'), undefined);
  t.equal(retryAfterFailure({ ...policy, maxRetries: 0 }, 1, 1, failedAt, 'u'), undefined, '0: no retry');
  const next = retryAfterFailure(policy, 1, 1, failedAt, 'u');
  const delay = (next?.at.getTime() ?? 0) - failedAt.getTime();
  t.ok(delay >= 24_000 && delay <= 30_000, 'the first retry waits about backoffSeconds');
});

t.test("a CodeRun's spec.maxRetries is its cap in place of the config's", async (t) => {
  t.equal(runRetryPolicy(policy, {}), policy, "none: the config's policy");
  const own = runRetryPolicy(policy, { maxRetries: 5 });
  t.same(own, { ...policy, maxRetries: 5 }, "the backoff stays the config's");
  t.match(
    retryAfterFailure(own, 1, 5, failedAt, 'u'),
    { attempt: 6 },
    "the fifth retry, past the config's 3",
  );
  t.equal(retryAfterFailure(own, 1, 6, failedAt, 'u'), undefined);
  t.equal(
    retryAfterFailure(runRetryPolicy(policy, { maxRetries: 0 }), 1, 1, failedAt, 'u'),
    undefined,
    '0: none',
  );
});
