import t from 'tap';
import { ManualClock } from '../../test/harness/fakes/manual-clock.js';
import { TokenBuckets } from './token-buckets.js';

t.test('a burst, then the rate; each caller has its own bucket', async (t) => {
  const clock = new ManualClock();
  const buckets = new TokenBuckets({ ratePerSecond: 2, burst: 3, clock });
  for (let i = 0; i < 3; i++) t.same(buckets.take('alice'), { allowed: true });
  t.same(buckets.take('alice'), { allowed: false, retryAfterSeconds: 1 });
  t.same(buckets.take('bob'), { allowed: true }, 'another caller is not held back');
  clock.advanceTo(500);
  t.same(buckets.take('alice'), { allowed: true }, 'one token back after 1/rate s');
  t.same(buckets.take('alice'), { allowed: false, retryAfterSeconds: 1 });
  clock.advanceTo(60_000);
  for (let i = 0; i < 3; i++)
    t.same(buckets.take('alice'), { allowed: true }, 'refilled up to the burst only');
  t.equal(buckets.take('alice').allowed, false);
});

t.test('a slow rate says how many seconds to wait', async (t) => {
  const buckets = new TokenBuckets({ ratePerSecond: 0.1, burst: 1, clock: new ManualClock() });
  buckets.take('a');
  t.same(buckets.take('a'), { allowed: false, retryAfterSeconds: 10 });
});

t.test('full buckets are dropped when there are too many callers', async (t) => {
  const clock = new ManualClock();
  const buckets = new TokenBuckets({ ratePerSecond: 1, burst: 1, maxKeys: 10, clock });
  for (let i = 0; i < 10; i++) buckets.take(`caller-${i}`);
  clock.advanceTo(1000);
  buckets.take('one-more');
  t.equal(buckets.size, 1, 'the refilled ones swept, the new one kept');
});
