// The reference table: which objects each kind of run names for a check, and which it does not (the
// operator's own choices); on UPDATE only what is new.
import t from 'tap';
import { defaulted } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import {
  type Permission,
  REFERENCES,
  type Reference,
  type RunView,
  referencesToCheck,
  specOf,
} from './table.js';

const config = loadDefaultConfig();

/** The spec as the validating webhook sees it: after the mutating webhook's defaults. */
const view = (kind: RunView['kind'], spec: Record<string, unknown>): RunView => ({
  kind,
  spec: specOf(defaulted(kind, { metadata: { name: 'x' }, spec }, config)),
  config,
});
const all = (run: RunView, stored?: RunView) =>
  referencesToCheck(run, stored).map((c) => `${c.path} ${c.reference.resource}/${c.name}`);
/** Only the rows of objects in the namespace (the operator's powers have tests of their own below). */
const named = (run: RunView, stored?: RunView) =>
  all(run, stored).filter((n) => !/ (agentprofiles|repositories)\//.test(n));

const codeRun = (spec: Record<string, unknown> = {}) =>
  view('CodeRun', {
    taskId: 3,
    service: 'payments',
    repositoryUrl: 'https://github.com/acme/payments',
    githubApp: '5DLabs-Rex',
    ...spec,
  });

t.test('a run with only the defaults names only its agent profile and its App repositories', async (t) => {
  t.same(
    all(codeRun()),
    ['spec.githubApp agentprofiles/rex', 'spec.repositoryUrl repositories/github.com/acme/payments'],
    'the profile ServiceAccount and the own workspace are the operator’s',
  );
  t.same(
    all(
      view('DocsRun', {
        repositoryUrl: 'https://github.com/a/b',
        workingDirectory: 'docs',
        githubApp: '5DLabs-Morgan',
      }),
    ),
    ['spec.githubApp agentprofiles/morgan', 'spec.repositoryUrl repositories/github.com/a/b'],
  );
  t.same(
    all(view('TaskRun', { taskId: 1, serviceName: 's', markdownFiles: [{ filename: 'a.md', content: '' }] })),
    ['spec.agent agentprofiles/rex'],
    'the default profile is asked about too, by the field that would select another',
  );
});

t.test('each row: Secrets from envFromSecrets, a ServiceAccount, a claim', async (t) => {
  t.same(
    named(
      codeRun({
        envFromSecrets: [
          { name: 'DB', secretName: 'db-password', secretKey: 'pw' },
          { name: 'SA_TOKEN', secretName: 'builder-token', secretKey: 'token' },
        ],
        serviceAccountName: 'deployer',
        workspace: { pvcName: 'billing-data' },
      }),
    ),
    [
      'spec.envFromSecrets[0].secretName secrets/db-password',
      'spec.envFromSecrets[1].secretName secrets/builder-token',
      'spec.serviceAccountName serviceaccounts/deployer',
      'spec.workspace.pvcName persistentvolumeclaims/billing-data',
    ],
  );
});

t.test("a GitHub user's token always, the SSH key only for an SSH URL; a TaskRun's field path", async (t) => {
  t.same(named(codeRun({ githubApp: undefined, githubUser: 'Alice' })), [
    'spec.githubUser secrets/github-pat-alice',
  ]);
  t.same(
    named(
      codeRun({
        githubApp: undefined,
        githubUser: 'alice',
        repositoryUrl: 'git@github.com:acme/payments.git',
        docsRepositoryUrl: 'https://github.com/acme/docs',
      }),
    ),
    ['spec.githubUser secrets/github-pat-alice', 'spec.githubUser secrets/github-ssh-alice'],
  );
  t.same(
    named(
      view('TaskRun', {
        taskId: 1,
        serviceName: 's',
        markdownFiles: [{ filename: 'a.md', content: '' }],
        repository: { url: 'git@github.com:a/b.git', githubUser: 'bob' },
      }),
    ),
    [
      'spec.repository.githubUser secrets/github-pat-bob',
      'spec.repository.githubUser secrets/github-ssh-bob',
    ],
  );
});

t.test('the ServiceAccount default is the profile’s, or `default` when the profile names none', async (t) => {
  const none = structuredClone(config);
  delete (none.agents.rex as { serviceAccountName?: string }).serviceAccountName;
  const run = (serviceAccountName: string) => ({
    kind: 'CodeRun' as const,
    spec: { ...codeRun().spec, serviceAccountName },
    config: none,
  });
  t.same(named(run('default')), []);
  t.same(named(run('orchestrator-agent')), ['spec.serviceAccountName serviceaccounts/orchestrator-agent']);
});

t.test('an UPDATE names only what the stored run did not name in the same field', async (t) => {
  const stored = codeRun({ envFromSecrets: [{ name: 'A', secretName: 'a', secretKey: 'k' }] });
  const reordered = codeRun({
    envFromSecrets: [
      { name: 'B', secretName: 'b', secretKey: 'k' },
      { name: 'A', secretName: 'a', secretKey: 'k' },
    ],
    workspace: { pvcName: 'other' },
  });
  t.same(named(reordered, stored), [
    'spec.envFromSecrets[0].secretName secrets/b',
    'spec.workspace.pvcName persistentvolumeclaims/other',
  ]);
  t.same(named(stored, stored), []);
});

t.test('one row per field, each with its group, scope and verbs', async (t) => {
  const perm = (r: Reference, p: Permission) => {
    const group = p.group ?? r.group;
    return `${p.verb} ${p.resource ?? r.resource}${p.subresource ? `/${p.subresource}` : ''}${group ? ` (${group})` : ''}${p.unnamed ? ' any' : ''}`;
  };
  t.same(
    REFERENCES.map(
      (r) =>
        `${r.field} → ${r.anyOf.map((p) => perm(r, p)).join(' | ')}${r.escalated ? `; ${r.escalated.when}: ${r.escalated.anyOf.map((p) => perm(r, p)).join(' | ')}` : ''}${r.clusterScoped ? ' cluster-scoped' : ''}`,
    ),
    [
      'spec.envFromSecrets[].secretName → get secrets',
      'spec.githubUser (TaskRun: spec.repository.githubUser) → get secrets',
      'spec.agent (CodeRun, DocsRun: spec.githubApp): its MCP servers → get secrets',
      'spec.serviceAccountName → create serviceaccounts/token | impersonate serviceaccounts',
      'spec.workspace.pvcName → use persistentvolumeclaims (orchestrator.io) | create pods any',
      'spec.agent (CodeRun, DocsRun: spec.githubApp) → use agentprofiles (orchestrator.io); a restricted or clusterAccess profile: use-restricted agentprofiles (orchestrator.io)',
      'spec.repositoryUrl, spec.docsRepositoryUrl (TaskRun: spec.repository.url) of a GitHub App run → use repositories (orchestrator.io) | use repositories (orchestrator.io)',
      'spec.image → use images (orchestrator.io) | use images (orchestrator.io)',
      'spec.podTemplate.priorityClassName → use priorityclasses (scheduling.k8s.io) cluster-scoped',
    ],
  );
  t.same(
    REFERENCES.filter((r) => r.group === 'orchestrator.io').map((r) => [
      r.resource,
      r.clusterScoped ?? false,
    ]),
    [
      ['agentprofiles', false],
      ['repositories', false],
      ['images', false],
    ],
    "the operator's powers are virtual resources of its API group, granted per namespace",
  );
});

t.test('any JSON: the table reads fields guardedly', async (t) => {
  for (const spec of [
    {},
    { envFromSecrets: 'x' },
    { envFromSecrets: [null, 3, { secretName: 7 }] },
    { workspace: [] },
  ])
    t.same(
      named({ kind: 'CodeRun', spec: spec as Record<string, unknown>, config }),
      [],
      JSON.stringify(spec),
    );
});
