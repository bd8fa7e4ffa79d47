import t from 'tap';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { fixture, taskRun } from '../../../test/harness/fakes/run-reconciler-fixture.js';
import type { RunStatus } from '../../api/index.js';
import type { CoreEvent } from '../../runtime/index.js';
import { transition } from './events.js';

const status = (reason: string, attempt = 1, message = 'm'): RunStatus => ({
  attempt,
  message,
  conditions: [
    { type: 'Succeeded', status: 'Unknown', reason, message, lastTransitionTime: '2026-01-01T00:00:00Z' },
  ],
});

t.test(
  'an event when the Succeeded reason or the attempt changes, Warning when something went wrong',
  async (t) => {
    t.same(transition(undefined, status('JobRunning')), {
      type: 'Normal',
      reason: 'JobRunning',
      message: 'm',
    });
    t.equal(transition(status('JobRunning'), status('JobRunning', 1, 'other')), undefined, 'no transition');
    t.match(transition(status('JobRunning'), status('RetryScheduled')), { type: 'Warning' });
    t.match(transition(status('JobRunning', 1), status('JobRunning', 2)), {
      type: 'Normal',
      reason: 'JobRunning',
    });
    t.match(transition(status('JobRunning'), status('RetriesExhausted')), { type: 'Warning' });
    t.equal(transition(undefined, { attempt: 1 }), undefined, 'no condition, no event');
  },
);

t.test("an Event's time is the reconcile's now (its clock), written to the namespace's events", async (t) => {
  const clock = new ManualClock(new Date('2031-05-06T07:08:09Z'));
  clock.advanceTo(1_500);
  const f = fixture({ clock });
  f.addRun(taskRun());
  await f.reconcile();
  const posts = f.api.made('POST', /\/events$/);
  t.equal(posts.length, 1, 'one transition, one Event');
  t.equal(posts[0]?.path, '/api/v1/namespaces/ns/events');
  t.match(posts[0]?.body as CoreEvent, {
    reason: 'PodPending',
    firstTimestamp: '2031-05-06T07:08:10Z',
    lastTimestamp: '2031-05-06T07:08:10Z',
  });
});
