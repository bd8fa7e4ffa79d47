// Admission of an App run's repository URLs: on github.host only, the host its installation token is for.
import t from 'tap';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { RunKindName } from '../../api/index.js';
import { configFrom } from '../../config/load.js';
import { validateRun } from '../validate-run.js';
import { repositoryHost } from './github-host.js';

// The seed's Apps (5DLabs-Rex …) are a sample's (config/samples/seed), not the shipped config's.
const config = seedConfig();

const findings = (kind: RunKindName, spec: Record<string, unknown>, cfg = config) =>
  validateRun({ kind, object: { kind, metadata: { name: 'x' }, spec }, operation: 'CREATE', config: cfg })
    .filter((f) => f.rule === 'app-github-host')
    .map((f) => `${f.rule} ${f.path}: ${f.message}`);

const code = (spec: Record<string, unknown>) => ({
  taskId: 1,
  service: 'trader',
  repositoryUrl: 'https://github.com/5dlabs/platform',
  docsRepositoryUrl: 'https://github.com/5dlabs/docs',
  githubApp: '5DLabs-Rex',
  ...spec,
});

t.test('an App run on github.host, in every URL form, is admitted', async (t) => {
  t.same(findings('CodeRun', code({})), []);
  t.same(findings('CodeRun', code({ repositoryUrl: 'git@github.com:5dlabs/platform.git' })), []);
  t.same(findings('CodeRun', code({ docsRepositoryUrl: 'ssh://git@GitHub.com:22/5dlabs/docs' })), []);
  t.same(findings('CodeRun', code({ docsRepositoryUrl: '5dlabs/docs' })), [], 'org/repo is on github.host');
});

t.test(
  "a CodeRun App run's docs URL on another host is refused, naming the field and the rule",
  async (t) => {
    t.same(findings('CodeRun', code({ docsRepositoryUrl: 'https://attacker.example/acme/docs' })), [
      'app-github-host spec.docsRepositoryUrl: Forbidden: "https://attacker.example/acme/docs" is not on ' +
        "github.com (the controller config's github.host): the run acts as the GitHub App 5DLabs-Rex, whose " +
        'installation token is only for github.com; name a repository there, or act as a GitHub user (githubUser)',
    ]);
    t.match(findings('CodeRun', code({ repositoryUrl: 'git@evil.example:acme/platform.git' })), [
      /^app-github-host spec\.repositoryUrl: Forbidden: "git@evil\.example:acme\/platform\.git" is not on github\.com/,
    ]);
    t.match(
      findings('CodeRun', code({ repositoryUrl: 'https://github.com:8443/acme/platform' })),
      [/^app-github-host spec\.repositoryUrl: /],
      'another port of the same host is another server',
    );
  },
);

t.test('DocsRun and TaskRun in App mode are held to github.host too', async (t) => {
  const docs = { repositoryUrl: 'https://gitlab.example/acme/platform', workingDirectory: 'docs' };
  t.match(findings('DocsRun', { ...docs, githubApp: '5DLabs-Morgan' }), [
    /^app-github-host spec\.repositoryUrl: Forbidden: "https:\/\/gitlab\.example\/acme\/platform" is not on/,
  ]);
  const task = (repository: Record<string, unknown>) => ({
    taskId: 1,
    serviceName: 'trader',
    agent: 'rex',
    markdownFiles: [{ filename: 'task.md', content: '#' }],
    repository,
  });
  t.match(findings('TaskRun', task({ url: 'https://gitlab.example/acme/platform' })), [
    /^app-github-host spec\.repository\.url: Forbidden: .* the GitHub App /,
  ]);
});

t.test(
  'a run acting as a GitHub user may name another host: its own credential, its own choice',
  async (t) => {
    const other = 'https://gitlab.example/acme/docs';
    t.same(
      findings('CodeRun', code({ githubApp: undefined, githubUser: 'u', docsRepositoryUrl: other })),
      [],
    );
    t.same(findings('DocsRun', { repositoryUrl: other, workingDirectory: 'docs', githubUser: 'u' }), []);
  },
);

t.test('github.host with a port: https URLs name the same port, SSH addresses the host name', async (t) => {
  const cfg = configFrom({ ...config, github: { ...config.github, host: 'git.corp:8443' } });
  const spec = code({ repositoryUrl: 'https://git.corp:8443/a/b', docsRepositoryUrl: 'git@git.corp:a/docs' });
  t.same(findings('CodeRun', spec, cfg), []);
  t.match(
    findings('CodeRun', code({ repositoryUrl: 'https://git.corp/a/b', docsRepositoryUrl: 'a/d' }), cfg),
    [/^app-github-host spec\.repositoryUrl: Forbidden: .* is not on git\.corp:8443/],
  );
});

t.test('repositoryHost', async (t) => {
  t.equal(repositoryHost('git@GitHub.com:a/b.git'), 'github.com');
  t.equal(repositoryHost('https://h.example:444/a/b'), 'h.example:444');
  t.equal(repositoryHost('https://h.example:443/a/b'), 'h.example', 'the default port is no port');
  t.equal(repositoryHost('ssh://git@h.example:2222/a/b'), 'h.example');
  t.equal(repositoryHost('a/b'), undefined);
});
