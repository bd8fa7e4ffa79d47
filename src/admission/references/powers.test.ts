// The rows of the operator's powers (agent-profiles.ts, repositories.ts): which profile a run of each
// kind uses, by which field, also by default; which repositories an App run's token is for, with
// their owner-wide alternative; a GitHub user's run names none; an UPDATE asks only about a change.
import t from 'tap';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import { defaulted } from '../../api/index.js';
import type { ResourceAttributes } from '../../auth/index.js';
import { accessAttributes } from './check.js';
import { ownerWide } from './repositories.js';
import { type RunView, referencesToCheck, specOf } from './table.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();
const view = (kind: RunView['kind'], spec: Record<string, unknown>): RunView => ({
  kind,
  spec: specOf(defaulted(kind, { metadata: { name: 'x' }, spec }, config)),
  config,
});
const powers = (run: RunView, stored?: RunView) =>
  referencesToCheck(run, stored)
    .filter((c) => c.reference.group === 'orchestrator.io')
    .map((c) => `${c.path} ${c.reference.resource}/${c.name}`);
const task = (spec: Record<string, unknown> = {}) =>
  view('TaskRun', {
    taskId: 1,
    serviceName: 's',
    markdownFiles: [{ filename: 'a.md', content: '' }],
    ...spec,
  });
const code = (spec: Record<string, unknown> = {}) =>
  view('CodeRun', {
    taskId: 3,
    service: 'payments',
    repositoryUrl: 'https://github.com/acme/payments',
    ...spec,
  });

t.test(
  'the profile: a TaskRun by spec.agent, a CodeRun or DocsRun by spec.githubApp, defaults included',
  async (t) => {
    t.same(powers(task({ agent: 'tess' })), ['spec.agent agentprofiles/tess']);
    t.same(powers(task()), ['spec.agent agentprofiles/rex'], 'the default agent');
    t.same(powers(code({ githubApp: '5DLabs-Tess', repositoryUrl: undefined })), [
      'spec.githubApp agentprofiles/tess',
    ]);
    t.same(
      powers(code({ githubUser: 'alice' })),
      ['spec.githubApp agentprofiles/rex'],
      "a GitHub user's run takes the default profile, by the field it left out",
    );
    const tess = referencesToCheck(task({ agent: 'tess' }))[0];
    t.equal(
      tess?.use,
      'the profile runs its pods as ServiceAccount orchestrator-agent-cluster-access with cluster access',
    );
    t.equal(
      referencesToCheck(task())[0]?.use,
      'the profile runs its pods as ServiceAccount orchestrator-agent, act as GitHub App 5DLabs-Rex, with its image',
    );
  },
);

t.test(
  "an App run's repositories: every URL of the token's scope, host/owner/repo in lower case",
  async (t) => {
    t.same(
      powers(
        code({
          githubApp: '5DLabs-Blaze',
          repositoryUrl: 'https://github.com/Acme/Payments.git',
          docsRepositoryUrl: 'git@github.com:acme/Docs.git',
        }),
      ),
      [
        'spec.githubApp agentprofiles/blaze',
        'spec.repositoryUrl repositories/github.com/acme/payments',
        'spec.docsRepositoryUrl repositories/github.com/acme/docs',
      ],
    );
    t.same(
      powers(code({ githubApp: '5DLabs-Rex', docsRepositoryUrl: 'https://github.com/other/docs' })),
      ['spec.githubApp agentprofiles/rex', 'spec.repositoryUrl repositories/github.com/acme/payments'],
      "another owner's repository gets no token (one installation per token), so it is not asked about",
    );
    t.same(
      powers(task({ repository: { url: 'acme/payments' } })),
      ['spec.agent agentprofiles/rex', 'spec.repository.url repositories/github.com/acme/payments'],
      "a TaskRun acts as its profile's App",
    );
    t.same(
      powers(task({ repository: { url: 'https://github.com/acme/payments', githubUser: 'bob' } })),
      ['spec.agent agentprofiles/rex'],
      "a GitHub user's run: no token is minted, the user's own Secrets are checked instead",
    );
    t.same(
      powers(code({ githubApp: '5DLabs-Rex', repositoryUrl: 'https://gitlab.com/acme/payments' })),
      ['spec.githubApp agentprofiles/rex'],
      'no repository on github.host: no token',
    );
  },
);

t.test('a repository is asked by its name and by its owner-wide name', async (t) => {
  t.equal(ownerWide('github.com/acme/payments'), 'github.com/acme/*');
  const check = referencesToCheck(code({ githubApp: '5DLabs-Rex' }))[1];
  t.ok(check);
  if (!check) return;
  t.same(
    check.reference.anyOf.map((p): ResourceAttributes => accessAttributes(check, p, 'team')),
    [
      {
        verb: 'use',
        group: 'orchestrator.io',
        resource: 'repositories',
        namespace: 'team',
        name: 'github.com/acme/payments',
      },
      {
        verb: 'use',
        group: 'orchestrator.io',
        resource: 'repositories',
        namespace: 'team',
        name: 'github.com/acme/*',
      },
    ],
  );
});

t.test('an UPDATE asks about a new profile or repository only', async (t) => {
  const stored = code({ githubApp: '5DLabs-Rex' });
  t.same(powers(stored, stored), []);
  t.same(powers(code({ githubApp: '5DLabs-Tess' }), stored), ['spec.githubApp agentprofiles/tess']);
  t.same(powers(code({ githubApp: '5DLabs-Rex', repositoryUrl: 'https://github.com/acme/ledger' }), stored), [
    'spec.repositoryUrl repositories/github.com/acme/ledger',
  ]);
});
