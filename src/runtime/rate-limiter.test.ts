import t from 'tap';
import { ItemExponentialRateLimiter } from './rate-limiter.js';

t.test('delays double from 5 ms per failure of a key and stop at 1000 s', async (t) => {
  const limiter = new ItemExponentialRateLimiter({ random: () => 0 });
  const delays = Array.from({ length: 20 }, () => limiter.when('a'));
  t.same(delays.slice(0, 5), [5, 10, 20, 40, 80]);
  t.equal(delays[17], 5 * 2 ** 17, 'still doubling below the cap');
  t.equal(delays[18], 1_000_000, '5 ms × 2^18 exceeds 1000 s: capped');
  t.equal(delays[19], 1_000_000);
  t.equal(limiter.numRequeues('a'), 20);
  t.equal(limiter.when('b'), 5, 'each key has its own history');
  limiter.forget('a');
  t.equal(limiter.numRequeues('a'), 0);
  t.equal(limiter.when('a'), 5, 'forget starts the key over');
});

t.test('jitter only shortens a delay, by at most the jitter share, and never passes the cap', async (t) => {
  const limiter = new ItemExponentialRateLimiter({ jitter: 0.2 });
  for (let key = 0; key < 200; key++) {
    for (let failure = 0; failure < 25; failure++) {
      const nominal = Math.min(1_000_000, 5 * 2 ** failure);
      const delay = limiter.when(String(key));
      if (delay > nominal || delay < nominal * 0.8)
        t.fail(`failure ${failure}: ${delay} outside [${nominal * 0.8}, ${nominal}]`);
    }
  }
  const extremes = [0, 0.999_999].map((r) =>
    new ItemExponentialRateLimiter({ jitter: 0.2, random: () => r }).when('k'),
  );
  t.same(
    extremes.map((d) => Math.round(d * 1000) / 1000),
    [5, 4],
    'the bounds are reached',
  );
  const spread = new Set(
    Array.from({ length: 50 }, (_, i) => new ItemExponentialRateLimiter().when(String(i))),
  );
  t.ok(spread.size > 40, 'the default limiter jitters');
});

t.test('nonsensical settings are refused', async (t) => {
  t.throws(() => new ItemExponentialRateLimiter({ baseDelayMs: 0 }), RangeError);
  t.throws(() => new ItemExponentialRateLimiter({ baseDelayMs: 10, maxDelayMs: 5 }), RangeError);
  t.throws(() => new ItemExponentialRateLimiter({ jitter: 1.5 }), RangeError);
});
