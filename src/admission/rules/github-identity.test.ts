// Admission of who a run acts as on GitHub: exactly one of a GitHub App and a GitHub user.
import t from 'tap';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import { configFrom } from '../../config/load.js';
import { validateRun } from '../validate-run.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();

const findings = (kind: 'TaskRun' | 'CodeRun' | 'DocsRun', spec: Record<string, unknown>, cfg = config) =>
  validateRun({ kind, object: { kind, metadata: { name: 'x' }, spec }, operation: 'CREATE', config: cfg })
    .filter((f) => f.rule === 'github-identity' || f.rule === 'schema')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

const code = (spec: Record<string, unknown>) => ({
  taskId: 1,
  service: 'trader',
  repositoryUrl: 'git@github.com:5dlabs/platform.git',
  docsRepositoryUrl: 'https://github.com/5dlabs/docs',
  ...spec,
});
const docs = (spec: Record<string, unknown>) => ({
  repositoryUrl: 'https://github.com/5dlabs/platform',
  workingDirectory: '_projects/trader',
  ...spec,
});

t.test('CodeRun and DocsRun: a GitHub App or a GitHub user', async (t) => {
  t.same(findings('CodeRun', code({ githubApp: '5DLabs-Rex' })), []);
  t.same(findings('CodeRun', code({ githubUser: 'swe-1-5dlabs' })), []);
  t.same(findings('DocsRun', docs({ githubUser: 'swe-1-5dlabs' })), []);
});

t.test('both or neither is refused, naming the fields and the Secrets a user needs', async (t) => {
  for (const [kind, spec] of [
    ['CodeRun', code],
    ['DocsRun', docs],
  ] as const) {
    t.same(findings(kind, spec({ githubApp: '5DLabs-Rex', githubUser: 'swe-1-5dlabs' })), [
      'github-identity spec.githubUser: Forbidden: spec.githubApp is set too: set exactly one of ' +
        'spec.githubApp (a GitHub App, preferred) or githubUser (a GitHub user: the SSH key of the Secret ' +
        'github-ssh-{githubUser} for git@ URLs, the token of github-pat-{githubUser} for https)',
    ]);
    t.match(findings(kind, spec({})), [
      /^github-identity spec\.githubApp: Required value: set exactly one of spec\.githubApp .* or githubUser/,
    ]);
  }
});

t.test("TaskRun: repository.githubUser, else the agent profile's App", async (t) => {
  const task = (repository: Record<string, unknown> | undefined, agent = 'rex') => ({
    taskId: 1,
    serviceName: 'trader',
    agent,
    markdownFiles: [{ filename: 'task.md', content: '#' }],
    ...(repository ? { repository } : {}),
  });
  const url = 'git@github.com:5dlabs/platform.git';
  t.same(findings('TaskRun', task({ url })), [], 'rex has an App');
  t.same(findings('TaskRun', task({ url, githubUser: 'swe-1-5dlabs' })), [], 'a user instead');
  const noApp = configFrom({ ...config, agents: { ...config.agents, bare: { image: 'x', model: 'm' } } });
  t.same(findings('TaskRun', task(undefined, 'bare'), noApp), [], 'no repository: nothing to access');
  t.same(findings('TaskRun', task({ url, githubUser: 'u' }, 'bare'), noApp), []);
  t.match(findings('TaskRun', task({ url }, 'bare'), noApp), [
    /^github-identity spec\.repository\.githubUser: Required value: agent "bare" has no githubApp in the controller config/,
  ]);
});
