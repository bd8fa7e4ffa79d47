// What an attempt's App token is for, and when it is minted again, from the run and its Secret's
// annotations alone (pure).
import t from 'tap';
import type { CodeRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { attemptToken, DEFAULT_PERMISSIONS, TOKEN_ANNOTATIONS, tokenScope } from './github-token.js';

const config = loadDefaultConfig();
const codeRun = (spec: Partial<CodeRun['spec']>): CodeRun => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'CodeRun',
  metadata: { name: 'pay', namespace: 'ns', uid: 'u' },
  spec: {
    taskId: 7,
    service: 'payments',
    githubApp: '5DLabs-Cleo',
    repositoryUrl: 'https://github.com/Acme/payments.git',
    docsRepositoryUrl: 'git@github.com:acme/payments-docs.git',
    ...spec,
  },
});

t.test('the scope: the run’s repositories of its first owner, the profile’s permissions', async (t) => {
  t.same(tokenScope('CodeRun', codeRun({}), config), {
    app: '5DLabs-Cleo',
    owner: 'acme',
    repositories: ['payments', 'payments-docs'],
    permissions: DEFAULT_PERMISSIONS,
  });
  const other = tokenScope(
    'CodeRun',
    codeRun({ docsRepositoryUrl: 'https://github.com/elsewhere/docs' }),
    config,
  );
  t.same(other?.repositories, ['payments'], 'another owner’s repository is not in the token');
  const reviewer = structuredClone(config);
  if (reviewer.agents.cleo)
    reviewer.agents.cleo.githubPermissions = { contents: 'read', pull_requests: 'write' };
  t.same(tokenScope('CodeRun', codeRun({}), reviewer)?.permissions, {
    contents: 'read',
    pull_requests: 'write',
  });
  const ghes = structuredClone(config);
  ghes.github.host = 'ghe.example.com';
  t.equal(tokenScope('CodeRun', codeRun({}), ghes), undefined, 'no repository on github.host: no token');
  t.equal(
    tokenScope('CodeRun', codeRun({ githubApp: undefined, githubUser: 'swe-1' }), config),
    undefined,
    'a user run gets none',
  );
});

t.test('renewed when a third of its life is left; after a failure, at its retry time', async (t) => {
  const scope = { app: 'a', owner: 'o', repositories: ['r'], permissions: {} };
  const now = new Date('2026-11-22T10:00:00Z');
  const secret = (annotations: Record<string, string>) => ({ metadata: { name: 's', annotations } });
  const minted = secret({
    [TOKEN_ANNOTATIONS.mintedAt]: '2026-11-22T09:30:00Z',
    [TOKEN_ANNOTATIONS.expiresAt]: '2026-11-22T10:30:00Z',
  });
  const token = attemptToken(scope, 's', minted, now);
  t.same(token.mintAt, new Date('2026-11-22T10:10:00Z'));
  t.same(token.expiresAt, new Date('2026-11-22T10:30:00Z'));
  const expired = attemptToken(scope, 's', minted, new Date('2026-11-22T10:31:00Z'));
  t.equal(expired.expiresAt, undefined, 'an expired token is no token');
  t.same(expired.mintAt, new Date('2026-11-22T10:31:00Z'), 'minted now');
  t.same(attemptToken(scope, 's', undefined, now).mintAt, now, 'no Secret: minted now');
  const failure = {
    reason: 'GithubUnreachable',
    message: 'm',
    transient: true,
    since: '2026-11-22T09:59:00Z',
    retryAt: '2026-11-22T10:00:20Z',
  };
  const failed = attemptToken(
    scope,
    's',
    secret({ [TOKEN_ANNOTATIONS.failure]: JSON.stringify(failure) }),
    now,
  );
  t.same(failed.mintAt, new Date('2026-11-22T10:00:20Z'));
  t.same(failed.failure, failure);
  const garbled = attemptToken(scope, 's', secret({ [TOKEN_ANNOTATIONS.failure]: '{' }), now);
  t.equal(garbled.failure, undefined, 'an unreadable annotation is ignored: minted now');
});
