import { randomBytes } from 'node:crypto';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { mintAttemptToken } from './attempt-token.js';
import { JobAuthenticator } from './job-authenticator.js';

const key = randomBytes(32);
const JOBS_PATH = '/apis/batch/v1/namespaces/team-a/jobs';
const claims = { namespace: 'team-a', kind: 'TaskRun', run: 'fix', uid: 'uid-fix', attempt: 1, job: 'fix-1' };

const job = (token: string, status: object = { active: 1 }) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'fix-1', namespace: 'team-a' },
  spec: {
    template: {
      spec: { containers: [{ name: 'agent', env: [{ name: 'ANTHROPIC_AUTH_TOKEN', value: token }] }] },
    },
  },
  status,
});

t.test(
  'accepted while its Job runs and carries it; refused once the Job ends or carries another',
  async (t) => {
    const token = mintAttemptToken(key, claims);
    const api = new FakeApi();
    let now = 0;
    const auth = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000, now: () => now });
    t.equal(await auth.authenticate(token), undefined, 'no Job: refused');
    now += 1001;
    api.seed(JOBS_PATH, job(token));
    t.same(await auth.authenticate(token), claims);
    const calls = api.calls.length;
    t.same(await auth.authenticate(token), claims);
    t.equal(api.calls.length, calls, 'answered from the cache within its time');
    api.seed(JOBS_PATH, job(token, { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }));
    now += 1001;
    t.equal(await auth.authenticate(token), undefined, 'the attempt ended: forgotten');
    api.seed(JOBS_PATH, job(mintAttemptToken(key, claims)));
    now += 1001;
    t.equal(await auth.authenticate(token), undefined, 'a Job of the same name with another token');
  },
);

t.test('a token not signed with the key costs no API call', async (t) => {
  const api = new FakeApi();
  const auth = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000 });
  t.equal(await auth.authenticate(mintAttemptToken(randomBytes(32), claims)), undefined);
  t.equal(await auth.authenticate('x'.repeat(200)), undefined);
  t.equal(api.calls.length, 0);
});
