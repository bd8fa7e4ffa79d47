// The agent container's token (issue #73 G6): handed only to the running agent container of the
// current attempt (which pod-attempt.ts decides, injected here), naming its Job's uid and expiring at
// the attempt's deadline; refused once the Job has ended.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { verifyAttemptToken } from './attempt-token.js';
import { type CredentialAttempt, ModelTokenIssuer } from './model-token-issuer.js';

const key = randomBytes(32);
const STARTED = Date.parse('2026-11-28T10:00:00Z');
const signal = new AbortController().signal;

function attempt(agent: 'running' | 'waiting' | 'terminated', jobStatus: object = {}): CredentialAttempt {
  return {
    kind: 'TaskRun',
    run: {
      metadata: { name: 'fix', namespace: 'team-a', uid: 'uid-fix' },
      spec: { limits: { maxBudgetUsd: '2.5' } },
      status: { attempt: 3, jobName: 'fix-3' },
    },
    job: {
      metadata: { name: 'fix-3', namespace: 'team-a', uid: 'uid-job' },
      spec: { activeDeadlineSeconds: 7200 },
      status: { startTime: new Date(STARTED).toISOString(), active: 1, ...jobStatus },
    },
    pod: {
      metadata: { name: 'fix-3-abc', namespace: 'team-a', uid: 'uid-pod' },
      status: {
        initContainerStatuses: [
          { name: 'prepare-workspace', state: { terminated: { exitCode: 0 } } },
          { name: 'agent', state: { [agent]: {} } },
        ],
      },
    },
  };
}

const issuerFor = (a: CredentialAttempt | { status: number; message: string }) =>
  new ModelTokenIssuer({ attemptOf: async () => a, key: () => key, now: () => STARTED + 60_000 });

t.test("the running agent container gets a token of its Job's uid, expiring at the deadline", async (t) => {
  const answer = await issuerFor(attempt('running')).issue('projected', signal);
  if (!('token' in answer)) return t.fail(`refused: ${JSON.stringify(answer)}`);
  t.same(verifyAttemptToken(key, answer.token, STARTED + 60_000), {
    namespace: 'team-a',
    kind: 'TaskRun',
    run: 'fix',
    uid: 'uid-fix',
    attempt: 3,
    job: 'fix-3',
    jobUid: 'uid-job',
    expiresAt: STARTED + 7200_000,
    maxBudgetMicros: 2_500_000,
  });
  t.equal(verifyAttemptToken(key, answer.token, STARTED + 7200_000), undefined, 'not past the deadline');
});

t.test('nothing for a container not yet running, an ended agent or Job, or a refused pod', async (t) => {
  t.equal(
    (await issuerFor(attempt('waiting')).issue('projected', signal)).status,
    409,
    'asked again shortly',
  );
  t.equal((await issuerFor(attempt('terminated')).issue('projected', signal)).status, 403);
  const ended = attempt('running', { conditions: [{ type: 'Failed', status: 'True' }] });
  t.equal((await issuerFor(ended).issue('projected', signal)).status, 403, 'the Job has ended');
  const refused = { status: 403, message: "the pod is not an attempt's: no Job controls it" };
  t.same(
    await issuerFor(refused).issue('projected', signal),
    refused,
    "the attempt check's refusal, as it said it",
  );
});
