import t from 'tap';
import { jobState } from './job-state.js';

const job = (conditions: unknown[] = []) => ({ metadata: { name: 'task-1-a1' }, status: { conditions } });
const failed = (reason?: string) => ({
  type: 'Failed',
  status: 'True',
  lastTransitionTime: '2026-03-01T10:30:00Z',
  ...(reason ? { reason } : {}),
});

t.test('jobState: Complete or Failed when that condition holds, else Active', async (t) => {
  t.equal(jobState({ metadata: { name: 'j' } }), 'Active', 'no status');
  t.equal(jobState(job()), 'Active');
  t.equal(jobState(job([{ type: 'Suspended', status: 'True' }])), 'Active');
  t.equal(jobState(job([{ type: 'Failed', status: 'False' }])), 'Active', 'a condition that does not hold');
  t.equal(jobState(job([{ type: 'FailureTarget', status: 'True' }])), 'Active', 'not failed until Failed');
  t.equal(jobState(job([{ type: 'Complete', status: 'True' }])), 'Complete');
  t.equal(jobState(job([failed('BackoffLimitExceeded')])), 'Failed');
  t.equal(
    jobState(job([failed(), { type: 'Complete', status: 'True' }])),
    'Complete',
    'Complete checked first',
  );
});
