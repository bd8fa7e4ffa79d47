import t from 'tap';
import type { RunStatus } from '../../api/index.js';
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
