// What an App run's tokens are for, from the run and the config alone (pure).
import t from 'tap';
import type { CodeRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { DEFAULT_PERMISSIONS, tokenScope } from './scope.js';

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
