// The seed README's `task` commands, run exactly as documented (with --dry-run), and the seed's flag
// spellings as aliases of today's.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { admitOffline } from '../admission/offline.js';
import { loadDefaultConfig } from '../config/load.js';
import { GitDefaults } from './git.js';
import { main } from './main.js';
import { codeRunFromFlags, docsRunFromFlags } from './task-flags.js';

const config = loadDefaultConfig();

/** A checkout of the seed's platform repository, on a feature branch, with its project directory. */
function platformCheckout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'cli-seed-'));
  const git = (...args: string[]) => spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  git('init', '-q', '-b', 'feature/trader');
  git('config', 'user.name', 'Ada Lovelace');
  git('remote', 'add', 'origin', 'git@github.com:5dlabs/platform.git');
  mkdirSync(join(dir, '_projects', 'trader'), { recursive: true });
  return dir;
}

/** Runs a documented command line (split on spaces, as the shell would) in `cwd`. */
async function run(t: Test, line: string, cwd: string) {
  const before = process.cwd();
  process.chdir(cwd);
  t.teardown(() => process.chdir(before));
  const io = memoryIO();
  const code = await main(['node', ...line.split(' ')], io);
  process.chdir(before);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

const errorsOf = (findings: { severity: string; path: string; message: string }[]) =>
  findings.filter((f) => f.severity === 'error').map((f) => `${f.path}: ${f.message}`);

t.test(
  'seed: `task code 1 --service trader --repo git@… --github-user swe-1-5dlabs` makes a valid CodeRun',
  async (t) => {
    const seed =
      'orchestrator task code 1 --service trader --repo git@github.com:5dlabs/platform.git --github-user swe-1-5dlabs';
    const res = await run(t, `${seed} --dry-run`, platformCheckout());
    t.equal(res.code, 0, res.stderr);
    const run_ = parse(res.stdout);
    t.same(run_.spec, {
      taskId: 1,
      service: 'trader',
      repositoryUrl: 'git@github.com:5dlabs/platform.git',
      docsRepositoryUrl: 'git@github.com:5dlabs/platform.git',
      docsBranch: 'feature/trader',
      githubUser: 'swe-1-5dlabs',
    });
    t.equal(run_.metadata.generateName, 'trader-task-1-swe-1-5dlabs-');
    const admitted = admitOffline('CodeRun', { ...run_, metadata: { name: 'seed-code' } }, config);
    t.same(errorsOf(admitted.findings), [], 'admissible');
  },
);

// The seed's CLI defaulted `task docs` to its App, 5DLabs-Morgan; today's takes the cluster's
// (task-defaults.ts), so without a cluster the seed's line names the App it meant.
t.test(
  'seed: `task docs --working-directory _projects/trader --model opus` makes a valid DocsRun',
  async (t) => {
    const res = await run(
      t,
      'orchestrator task docs --working-directory _projects/trader --model opus --github-app 5DLabs-Morgan --dry-run',
      platformCheckout(),
    );
    t.equal(res.code, 0, res.stderr);
    const run_ = parse(res.stdout);
    t.same(run_.spec, {
      repositoryUrl: 'git@github.com:5dlabs/platform.git',
      workingDirectory: '_projects/trader',
      sourceBranch: 'feature/trader',
      model: 'opus',
      githubApp: '5DLabs-Morgan',
    });
    const admitted = admitOffline('DocsRun', { ...run_, metadata: { name: 'seed-docs' } }, config);
    t.same(errorsOf(admitted.findings), [], 'admissible');
    t.equal((admitted.admitted.spec as { model: string }).model, 'claude-opus-5-5', 'stored resolved');
    t.match(admitted.findings, [{ severity: 'warning', rule: 'model-alias', path: 'spec.model' }]);
  },
);

// A seed user reads the run before there is a cluster: the App is the cluster's, so it is left out
// and said so, and only that is excused from the offline checks.
t.test('seed: `task docs … --dry-run` with no cluster prints the DocsRun without its App', async (t) => {
  const kubeconfig = process.env.KUBECONFIG;
  process.env.KUBECONFIG = join(tmpdir(), 'no-such-kubeconfig');
  t.teardown(() => {
    if (kubeconfig === undefined) delete process.env.KUBECONFIG;
    else process.env.KUBECONFIG = kubeconfig;
  });
  const seed = 'orchestrator task docs --working-directory _projects/trader --model opus';
  const res = await run(t, `${seed} --dry-run`, platformCheckout());
  t.equal(res.code, 0, res.stderr);
  t.same(parse(res.stdout).spec, {
    repositoryUrl: 'git@github.com:5dlabs/platform.git',
    workingDirectory: '_projects/trader',
    sourceBranch: 'feature/trader',
    model: 'opus',
  });
  t.match(
    res.stderr,
    /^note: spec\.githubApp left out of the DocsRun: .*no-such-kubeconfig.*give --github-app/,
  );
  const code = await run(t, 'orchestrator task code 1 --service trader --dry-run', platformCheckout());
  t.equal(code.code, 0, code.stderr);
  t.equal(parse(code.stdout).metadata.generateName, 'trader-task-1-', 'named without an agent');
  t.match(code.stderr, /note: spec\.githubApp left out of the CodeRun/);

  const refused = await run(t, 'orchestrator task docs -w ../x --dry-run', platformCheckout());
  t.equal(refused.code, 1, 'any other refusal still refuses');
  t.match(refused.stderr, /spec\.workingDirectory: Invalid value: "\.\.\/x"/);
  t.notMatch(refused.stderr, /spec\.githubApp: Required/);
  const server = await run(t, `${seed} --dry-run=server`, platformCheckout());
  t.equal(server.code, 1, 'the cluster is asked for a server dry run');
  t.match(server.stderr, /^error: --github-app not given, and the cluster's config could not be read/);
});

t.test('task docs: the working directory defaults to the current one within the checkout', async (t) => {
  const checkout = platformCheckout();
  const docs = 'orchestrator task docs --github-app Acme-Morgan --dry-run';
  const inside = await run(t, docs, join(checkout, '_projects', 'trader'));
  t.equal(inside.code, 0, inside.stderr);
  t.equal(parse(inside.stdout).spec.workingDirectory, '_projects/trader');
  t.match(parse(inside.stdout).metadata.generateName, /^docs-projects-trader-$/);
  const root = await run(t, docs, checkout);
  t.equal(root.code, 1);
  t.match(root.stderr, /--working-directory is required: run the command from the project directory/);
  const nowhere = await run(t, docs, mkdtempSync(join(tmpdir(), 'cli-nogit-')));
  t.match(nowhere.stderr, /--working-directory is required/);
});

t.test("the seed's spellings are aliases of today's flags, listed in the help", async (t) => {
  const checkout = platformCheckout();
  const seedSpelling = await run(
    t,
    'orchestrator task code 3 -s trader --repo acme/trader --platform-repository-url acme/platform --branch docs -w services/trader --github-app 5DLabs-Rex --dry-run',
    checkout,
  );
  const todays = await run(
    t,
    'orchestrator task code 3 --service trader --repository-url acme/trader --docs-repository-url acme/platform --docs-branch docs --working-directory services/trader --github-app 5DLabs-Rex --dry-run',
    checkout,
  );
  t.equal(seedSpelling.code, 0, seedSpelling.stderr);
  t.equal(seedSpelling.stdout, todays.stdout, 'the same CodeRun');
  t.match(parse(todays.stdout).spec, {
    repositoryUrl: 'acme/trader',
    docsRepositoryUrl: 'acme/platform',
    docsBranch: 'docs',
    workingDirectory: 'services/trader',
    githubApp: '5DLabs-Rex',
  });
  const docs = await run(
    t,
    'orchestrator task docs -w _projects/trader --repo acme/platform --github-app 5DLabs-Morgan --dry-run',
    checkout,
  );
  t.equal(parse(docs.stdout).spec.repositoryUrl, 'acme/platform');

  const help = memoryIO();
  await main(['node', 'orchestrator', 'task', 'code', '--help'], help);
  for (const flag of [
    '-s, --service <name>',
    '--repo, --repository-url <url>',
    '--platform-repository-url, --docs-repository-url <url>',
    '--branch, --docs-branch <branch>',
    '--base-branch <branch>',
    '-w, --working-directory <dir>',
    '--github-user <user>',
  ])
    t.ok(help.stdout().includes(flag), flag);
});

t.test('--github-user: the run acts as the user instead of a GitHub App; not both', async (t) => {
  const git = new GitDefaults(platformCheckout());
  const code = codeRunFromFlags('1', { service: 'trader', githubUser: 'swe-1-5dlabs' }, git);
  t.equal(code.spec.githubApp, undefined, 'no default App beside the user');
  t.equal((code.spec as { githubUser?: string }).githubUser, 'swe-1-5dlabs');
  const docs = docsRunFromFlags({ workingDirectory: 'd', githubUser: 'swe-1-5dlabs' }, git);
  t.same(
    [docs.spec.githubApp, (docs.spec as { githubUser?: string }).githubUser],
    [undefined, 'swe-1-5dlabs'],
  );
  t.throws(
    () => codeRunFromFlags('1', { service: 'trader', githubUser: 'u', githubApp: '5DLabs-Rex' }, git),
    /--github-app and --github-user: give one/,
  );
});
