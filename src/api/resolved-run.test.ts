// The resolver (resolved-run.ts): what it answers of a run, and that it is the one place a reconcile
// asks: only it and admission default a run, and the reconcile's folders ask it rather than derive the
// agent, profile, CLI or GitHub authentication themselves.
import { globSync, readFileSync } from 'node:fs';
import t from 'tap';
import { agentCli } from '../agent-cli/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { defaulted } from './defaulting.js';
import { kindFacts } from './kinds.js';
import { resolvedOf, resolveRun } from './resolved-run.js';
import type { CodeRun, TaskRun } from './types.js';

const config = loadDefaultConfig();
Object.assign(config.agents.tess ?? {}, { cli: 'codex', githubApp: 'acme-tess' });

/** A stored run of `spec` in namespace ns. */
const stored = <R>(spec: object): R => ({ metadata: { name: 'pay-7', namespace: 'ns' }, spec }) as R;

t.test('a TaskRun resolved: defaulted, its agent, profile, CLI and GitHub identity', async (t) => {
  const run = stored<TaskRun>({
    taskId: 7,
    serviceName: 'payments',
    agent: 'tess',
    markdownFiles: [{ filename: 'a.md', content: 'x' }],
  });
  const resolved = resolveRun('TaskRun', run, config);
  t.same(resolved.run, defaulted('TaskRun', run, config), 'the run as defaulted() returns it');
  t.equal(resolved.kind, 'TaskRun');
  t.equal(resolved.agent, 'tess');
  t.equal(resolved.profile, config.agents.tess, "the config's profile itself");
  t.equal(resolved.cli, agentCli('codex'));
  t.same(resolved.auth, { method: 'app', app: 'acme-tess' }, "a TaskRun's App from its profile");
  t.equal(resolved.facts, kindFacts('TaskRun'));
  t.equal(
    resolvedOf('TaskRun', resolved.run, config).run,
    resolved.run,
    'a defaulted run is not defaulted again',
  );
});

t.test('a CodeRun acting as a GitHub user runs the default agent', async (t) => {
  const run = stored<CodeRun>({
    taskId: 7,
    service: 'payments',
    githubUser: 'alice',
    repositoryUrl: 'git@github.com:acme/payments.git',
    docsRepositoryUrl: 'https://github.com/acme/docs',
  });
  const resolved = resolveRun('CodeRun', run, config);
  t.equal(resolved.agent, config.defaultAgent);
  t.equal(resolved.cli, agentCli(undefined), 'Claude Code when the profile names none');
  t.match(resolved.auth, { method: 'user', user: 'alice', transports: ['https', 'ssh'] });
});

/** Product code under src/ (tests and test-only helpers excepted), with its comments blanked. */
function productFiles(): { path: string; code: string }[] {
  return globSync('src/**/*.ts')
    .filter((path) => !path.endsWith('.test.ts') && !path.endsWith('-test-runs.ts'))
    .map((path) => ({
      path,
      code: readFileSync(path, 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, ''),
    }));
}

t.test('only the resolver and admission default a run', async (t) => {
  // Admission defaults the request it reviews (and its offline pipeline, the same); the definition
  // recurses into nothing. Any other caller would be a second answer to "what is this run?".
  const allowed = (path: string) =>
    path === 'src/api/defaulting.ts' ||
    path === 'src/api/resolved-run.ts' ||
    path.startsWith('src/admission/');
  const callers = productFiles()
    .filter(({ code }) => /\bdefaulted\b[^;]*from '[^']*(?:api\/index|defaulting)\.js'/.test(code))
    .filter(({ code }) => /\bdefaulted\(/.test(code))
    .map(({ path }) => path);
  t.ok(callers.includes('src/api/resolved-run.ts'), 'the check finds a caller');
  t.same(
    callers.filter((path) => !allowed(path)),
    [],
    'no caller outside the resolver and admission',
  );
});

t.test("the reconcile's folders ask the resolver, not the run's spec", async (t) => {
  // The one derivation left: the metrics' label of a run the reconcile did not resolve (finished, new).
  const left = new Set(['src/controllers/metrics/run-metrics.ts']);
  const derivation = /\b(?:runAgent|runProfile|runGithubAuth|githubAuth|agentCli)\(/;
  const deriving = productFiles()
    .filter(({ path }) => path.startsWith('src/controllers/') || path.startsWith('src/render/'))
    .filter(({ code }) => derivation.test(code))
    .map(({ path }) => path);
  t.same(
    deriving.filter((path) => !left.has(path)),
    [],
  );
});
