import { randomBytes } from 'node:crypto';
import t from 'tap';
import { REDACTED, redactSecrets } from '../util/index.js';
import { mintAttemptToken, verifyAttemptToken } from './attempt-token.js';

const key = randomBytes(32);
const claims = {
  namespace: 'team-a',
  kind: 'CodeRun',
  run: 'fix',
  uid: 'uid-fix',
  attempt: 2,
  job: 'fix-2',
  jobUid: 'uid-job',
  expiresAt: 2_000_000,
  maxBudgetMicros: 5_000_000,
};
const NOW = 1_000_000;

t.test('a minted token verifies to its claims; each mint is new', async (t) => {
  const token = mintAttemptToken(key, claims);
  t.same(verifyAttemptToken(key, token, NOW), claims);
  t.not(mintAttemptToken(key, claims), token, 'a random nonce in every token');
});

t.test('another key, a changed payload, a changed signature or garbage: refused', async (t) => {
  const token = mintAttemptToken(key, claims);
  t.equal(verifyAttemptToken(randomBytes(32), token, NOW), undefined);
  const [prefix, payload, mac] = token.split('.');
  const richer = Buffer.from(
    JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), b: 1e12 }),
  ).toString('base64url');
  t.equal(
    verifyAttemptToken(key, `${prefix}.${richer}.${mac}`, NOW),
    undefined,
    'a raised limit breaks the signature',
  );
  t.equal(verifyAttemptToken(key, `${prefix}.${payload}.${mac?.slice(1)}`, NOW), undefined);
  t.equal(verifyAttemptToken(key, `${token}.x`, NOW), undefined);
  t.equal(verifyAttemptToken(key, 'sk-ant-api03-xyz', NOW), undefined);
});

t.test('a token naming no run object or no Job uid is not one of this gateway', async (t) => {
  t.equal(verifyAttemptToken(key, mintAttemptToken(key, { ...claims, uid: '' }), NOW), undefined);
  t.equal(verifyAttemptToken(key, mintAttemptToken(key, { ...claims, jobUid: '' }), NOW), undefined);
});

t.test("a token past its attempt's deadline is refused", async (t) => {
  const token = mintAttemptToken(key, claims);
  t.same(verifyAttemptToken(key, token, claims.expiresAt - 1), claims);
  t.equal(verifyAttemptToken(key, token, claims.expiresAt), undefined);
  t.equal(verifyAttemptToken(key, token, claims.expiresAt + 30 * 24 * 3600_000), undefined, 'thirty days on');
});

t.test('a token quoted in text the operator copies from a pod is redacted whole', async (t) => {
  const token = mintAttemptToken(key, claims);
  const out = redactSecrets(`the model gateway: answered 500: ${token}; next`);
  t.equal(out, `the model gateway: answered 500: orcgw1.${REDACTED}; next`);
});
