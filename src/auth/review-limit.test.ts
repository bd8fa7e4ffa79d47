// The budget of reviews asked at once: never more in flight than allowed, a slot handed straight to the
// next waiting review, a refusal (not a call) past the queue or the wait.
import t from 'tap';
import { ReviewLimit, ReviewLimitExceeded } from './review-limit.js';

const gate = () => {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
};

t.test('in flight never above the budget; the queue bounded; past it refused without a call', async (t) => {
  const limit = new ReviewLimit({
    what: 'SubjectAccessReviews',
    maxInFlight: 2,
    maxQueued: 3,
    maxWaitMs: 600_000,
  });
  const released = gate();
  let calls = 0;
  let most = 0;
  let now = 0;
  const ask = async () => {
    calls++;
    most = Math.max(most, ++now);
    await released.opened;
    now--;
    return 'answer';
  };
  const asked = Array.from({ length: 8 }, () => limit.run(ask).catch((err: Error) => err));
  await new Promise((resolve) => setImmediate(resolve));
  t.equal(calls, 2, 'two asked');
  t.same(limit.pending, { inFlight: 2, queued: 3 });
  released.open();
  const answers = await Promise.all(asked);
  t.equal(answers.filter((a) => a === 'answer').length, 5, 'two at once and the three that waited');
  const refused = answers.filter((a) => a instanceof ReviewLimitExceeded) as Error[];
  t.equal(refused.length, 3, 'the rest refused');
  t.match(refused[0]?.message, 'too many SubjectAccessReviews at once (2 in flight, 3 waiting)');
  t.equal(calls, 5, 'a refused review is never asked');
  t.equal(most, 2, 'never more than two in flight');
  t.same(limit.pending, { inFlight: 0, queued: 0 });
});

t.test('a review that waits past maxWaitMs is refused, and its place given up', async (t) => {
  const limit = new ReviewLimit({ what: 'SubjectAccessReviews', maxInFlight: 1, maxQueued: 5, maxWaitMs: 1 });
  const released = gate();
  const first = limit.run(() => released.opened);
  await t.rejects(
    limit.run(async () => 'never'),
    /no slot for SubjectAccessReviews within 1 ms/,
  );
  t.same(limit.pending, { inFlight: 1, queued: 0 });
  released.open();
  await first;
  t.equal(await limit.run(async () => 'free again'), 'free again');
});
