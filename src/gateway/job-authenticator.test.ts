// The gateway's check of a token at each call (issue #73 G6): the Job of the uid the token names must
// run. A token of an attempt that ended stays refused whatever is made later under the Job's name.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { FakeApi } from '../../test/harness/fakes/fake-api.js';
import { mintAttemptToken } from './attempt-token.js';
import { JobAuthenticator } from './job-authenticator.js';

const key = randomBytes(32);
const JOBS_PATH = '/apis/batch/v1/namespaces/team-a/jobs';
const DAY = 24 * 3600_000;
const claims = {
  namespace: 'team-a',
  kind: 'TaskRun',
  run: 'fix',
  uid: 'uid-fix',
  attempt: 1,
  job: 'fix-1',
  jobUid: 'uid-job',
  expiresAt: DAY,
};

const job = (uid: string, status: object = { active: 1 }, spec: object = {}) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: { name: 'fix-1', namespace: 'team-a', uid },
  spec,
  status,
});

t.test('accepted while the Job of its uid runs; refused once it ends', async (t) => {
  const token = mintAttemptToken(key, claims);
  const api = new FakeApi();
  let now = 0;
  const auth = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000, now: () => now });
  t.equal(await auth.authenticate(token), undefined, 'no Job: refused');
  now += 1001;
  api.seed(JOBS_PATH, job('uid-job'));
  t.same(await auth.authenticate(token), claims);
  const calls = api.calls.length;
  t.same(await auth.authenticate(token), claims);
  t.equal(api.calls.length, calls, 'answered from the cache within its time');
  api.seed(JOBS_PATH, job('uid-job', { succeeded: 1, conditions: [{ type: 'Complete', status: 'True' }] }));
  now += 1001;
  t.equal(await auth.authenticate(token), undefined, 'the attempt ended: forgotten');
});

t.test('a look-alike Job of the same name after the attempt ended: refused, then and later', async (t) => {
  const token = mintAttemptToken(key, claims);
  const api = new FakeApi();
  let now = 0;
  const auth = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000, now: () => now });
  // A tenant who may create Jobs makes one under the attempt's Job name, carrying the token where the
  // attempt's Job once did (a variable of its spec): suspended, never finished.
  const container = { name: 'agent', env: [{ name: 'ANTHROPIC_AUTH_TOKEN', value: token }] };
  api.seed(
    JOBS_PATH,
    job('uid-look-alike', {}, { suspend: true, template: { spec: { containers: [container] } } }),
  );
  t.equal(await auth.authenticate(token), undefined, 'another uid under the name');
  now += 30 * DAY;
  t.equal(await auth.authenticate(token), undefined, 'thirty days later');
  const running = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000, now: () => DAY + 1 });
  api.seed(JOBS_PATH, job('uid-job'));
  t.equal(await running.authenticate(token), undefined, 'even its own Job, past the deadline');
});

t.test('a token not signed with the key costs no API call', async (t) => {
  const api = new FakeApi();
  const auth = new JobAuthenticator({ client: api, key: () => key, cacheMs: 1000, now: () => 0 });
  t.equal(await auth.authenticate(mintAttemptToken(randomBytes(32), claims)), undefined);
  t.equal(await auth.authenticate('x'.repeat(200)), undefined);
  t.equal(api.calls.length, 0);
});
