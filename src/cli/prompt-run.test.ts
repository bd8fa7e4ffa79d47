// `orchestrator run -p`: the TaskRun it sends, where the prompt comes from, and the flags `run` refuses
// because they belong to its other branch (the manager) or to none given.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { GitDefaults } from './git.js';
import { main } from './main.js';
import { taskRunFromPrompt } from './prompt-run.js';

const cli = async (args: string[], stdin?: string) => {
  const io = memoryIO({ stdin });
  const code = await main(['node', 'orchestrator', ...args], io);
  return { code, out: io.stdout(), err: io.stderr() };
};
/** Outside any git checkout: no default repository. */
const noGit = new GitDefaults(mkdtempSync(join(tmpdir(), 'prompt-run-')));

t.test('the TaskRun holds only what was given: admission derives the rest', async (t) => {
  const run = taskRunFromPrompt('Fix the flaky test.', { repo: 'acme/payments', timeout: '1m' }, noGit);
  t.same(run, {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    metadata: { generateName: 'payments-prompt-' },
    spec: { prompt: 'Fix the flaky test.', repository: { url: 'acme/payments' } },
  });
  const all = taskRunFromPrompt(
    'x',
    {
      repo: 'https://github.com/acme/Web.App.git',
      branch: 'develop',
      githubUser: 'octocat',
      agent: 'blaze',
      model: 'opus',
      priority: 'high',
      name: 'fix-1',
      timeout: '1m',
    },
    noGit,
  );
  t.same(all.metadata, { name: 'fix-1' });
  t.same(all.spec, {
    prompt: 'x',
    repository: { url: 'https://github.com/acme/Web.App.git', branch: 'develop', githubUser: 'octocat' },
    agent: 'blaze',
    model: 'opus',
    priority: 'high',
  });
  t.same(
    taskRunFromPrompt('x', { service: 'notes', timeout: '1m' }, noGit).spec,
    { prompt: 'x', serviceName: 'notes' },
    '--service names it',
  );
  t.same(
    taskRunFromPrompt('x', { timeout: '1m' }, noGit),
    {
      apiVersion: 'orchestrator.io/v1',
      kind: 'TaskRun',
      metadata: { generateName: 'task-prompt-' },
      spec: { prompt: 'x' },
    },
    'no repository and no checkout: a run without one (admission asks for its service)',
  );
  const checkout = mkdtempSync(join(tmpdir(), 'prompt-run-checkout-'));
  spawnSync('git', ['init', '-q'], { cwd: checkout });
  spawnSync('git', ['remote', 'add', 'origin', 'https://github.com/acme/tour.git'], { cwd: checkout });
  t.same(
    taskRunFromPrompt('x', { timeout: '1m' }, new GitDefaults(checkout)).spec.repository,
    { url: 'https://github.com/acme/tour.git' },
    'in a checkout: its origin',
  );
  t.same(
    taskRunFromPrompt('x', { repo: false, service: 'notes', timeout: '1m' }, new GitDefaults(checkout)).spec,
    { prompt: 'x', serviceName: 'notes' },
    '--no-repo: none, even in a checkout',
  );
  t.throws(
    () => taskRunFromPrompt('x', { branch: 'dev', timeout: '1m' }, noGit),
    /--branch and --github-user are the repository's: give --repo/,
  );
});

t.test('--dry-run prints it; the prompt from -p, a file or standard input', async (t) => {
  const args = ['--repo', 'acme/payments', '--github-user', 'octocat', '--dry-run'];
  const inline = await cli(['run', '-p', 'Fix the flaky test.', ...args]);
  t.equal(inline.code, 0, inline.err);
  t.match(parse(inline.out), { kind: 'TaskRun', spec: { prompt: 'Fix the flaky test.' } });
  const dir = mkdtempSync(join(tmpdir(), 'prompt-file-'));
  writeFileSync(join(dir, 'p.md'), '# Fix it\n\nThe payment test flakes.\n');
  const file = await cli(['run', '--prompt-file', join(dir, 'p.md'), ...args]);
  t.equal(parse(file.out).spec.prompt, '# Fix it\n\nThe payment test flakes.\n');
  const stdin = await cli(['run', '--prompt-file', '-', ...args], 'from stdin\n');
  t.equal(parse(stdin.out).spec.prompt, 'from stdin\n');
});

t.test('refused, saying why', async (t) => {
  const cases: [string[], RegExp][] = [
    [['run', '-p', '  ', '--repo', 'a/b'], /-p: the prompt is empty; say what the agent should do/],
    [['run', '-p', 'x', '--prompt-file', '-', '--repo', 'a/b'], /-p and --prompt-file: give one/],
    [['run', '--prompt-file', '/nonexistent/p.md'], /--prompt-file: cannot read \/nonexistent\/p\.md/],
    [
      ['run', '-p', 'x', '--webhook-port', '9443', '--local'],
      /--local, --webhook-port: the manager's, not for a run from a prompt \(-p\)/,
    ],
    [
      ['run', '--repo', 'a/b', '--wait'],
      /--repo, --wait: for a run from a prompt; give it with -p or --prompt-file/,
    ],
    [['run', '--no-repo'], /--no-repo: for a run from a prompt/],
    [['run', '-p', 'x', '--no-repo', '--branch', 'dev'], /--branch and --github-user are the repository's/],
  ];
  for (const [args, message] of cases) {
    const { code, err } = await cli(args);
    t.equal(code, 1, args.join(' '));
    t.match(err, message);
  }
  const offline = await cli(['run', '-p', 'x', '--repo', 'acme/payments', '--dry-run']);
  t.match(
    offline.err,
    /TaskRun\/payments-prompt-… \(flags\): spec\.repository\.githubUser: Required value: agent "rex" has no githubApp/,
    'the offline check holds it to the shipped config, which names no App',
  );
});
