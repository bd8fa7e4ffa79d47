// The stop hook (agent-shell/stop-commit.sh) run for real over a real git checkout, as the agent CLI and
// the entry script run it: the agent's changes committed, and the task's marker (decision 0057) added
// once the attempt has work of its own — rewritten when the agent left another, never written through
// a link the agent left on its path, never the only change of an attempt.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { git } from '../../test/harness/agent/entry-script.js';

const HOOK = path.join(import.meta.dirname, 'stop-commit.sh');
const MARKER = '.orchestrator/tasks/task-7.json';

/** A checkout on its work branch with one commit; the commit the attempt started from. */
function checkout(t: Test) {
  const dir = mkdtempSync(path.join(tmpdir(), 'stop-commit-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  git(['init', '-q', '-b', 'feature/task-7-implementation'], dir);
  git(['config', 'user.name', 'rex'], dir);
  git(['config', 'user.email', 'rex@example.com'], dir);
  writeFileSync(path.join(dir, 'README.md'), 'hello\n');
  git(['add', '--all'], dir);
  git(['commit', '-q', '-m', 'base'], dir);
  return { dir, start: git(['rev-parse', 'HEAD'], dir).trim() };
}

/** The hook run in `dir` with the entry script's environment for task 7. */
function stop(dir: string, start: string, env: Record<string, string> = {}) {
  const r = spawnSync('bash', [HOOK], {
    encoding: 'utf8',
    input: '{}',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_GLOBAL: '/dev/null',
      ORCHESTRATOR_REPO_DIR: dir,
      ORCHESTRATOR_RUN_NAME: 'payments-7',
      ORCHESTRATOR_ATTEMPT: '1',
      ORCHESTRATOR_TASK_ID: '7',
      ORCHESTRATOR_TASK_MARKER: MARKER,
      ORCHESTRATOR_START_COMMIT: start,
      ...env,
    },
  });
  return {
    status: r.status,
    stderr: r.stderr,
    subjects: git(['log', '--format=%s'], dir).trim().split('\n'),
  };
}

const committed = (dir: string, file: string) => git(['show', `HEAD:${file}`], dir);

t.test("the agent's changes, then the marker in a commit of its own", async (t) => {
  const { dir, start } = checkout(t);
  writeFileSync(path.join(dir, 'work.txt'), 'work\n');
  const r = stop(dir, start);
  t.equal(r.status, 0, r.stderr);
  t.match(r.subjects, [
    /^chore: the marker of task 7 \(payments-7\)$/,
    /^chore: save the agent's work on stop/,
    'base',
  ]);
  t.equal(committed(dir, MARKER), '{"taskId": 7}\n', 'the marker names the task');
  t.equal(committed(dir, 'work.txt'), 'work\n');
  t.same(stop(dir, start).subjects, r.subjects, 'run again (the entry script after the CLI): nothing more');
});

t.test('an attempt that changed nothing gets no marker, so it opens no pull request', async (t) => {
  const { dir, start } = checkout(t);
  const r = stop(dir, start);
  t.equal(r.status, 0, r.stderr);
  t.same(r.subjects, ['base'], 'no commit');
});

t.test("the agent's own commits count as its work", async (t) => {
  const { dir, start } = checkout(t);
  writeFileSync(path.join(dir, 'work.txt'), 'work\n');
  git(['add', '--all'], dir);
  git(['commit', '-q', '-m', 'the agent commits'], dir);
  t.same(stop(dir, start).subjects, [
    'chore: the marker of task 7 (payments-7)',
    'the agent commits',
    'base',
  ]);
});

t.test(
  'a marker naming another task is rewritten; a link on its path is never written through',
  async (t) => {
    const { dir, start } = checkout(t);
    mkdirSync(path.join(dir, '.orchestrator/tasks'), { recursive: true });
    writeFileSync(path.join(dir, MARKER), '{"taskId": 8}\n');
    t.equal(stop(dir, start).status, 0);
    t.equal(committed(dir, MARKER), '{"taskId": 7}\n', 'rewritten');

    const linked = checkout(t);
    const outside = mkdtempSync(path.join(tmpdir(), 'stop-commit-outside-'));
    t.teardown(() => rmSync(outside, { recursive: true, force: true }));
    symlinkSync(outside, path.join(linked.dir, '.orchestrator'));
    writeFileSync(path.join(linked.dir, 'work.txt'), 'work\n');
    const r = stop(linked.dir, linked.start);
    t.equal(r.status, 0, 'the hook never fails the agent');
    t.match(r.stderr, /\.orchestrator is a link: the task's marker is not written/);
    t.same(
      spawnSync('ls', ['-A', outside], { encoding: 'utf8' }).stdout,
      '',
      'nothing written where the link points',
    );
  },
);

t.test('no marker without a task, a marker path or the commit the attempt started from', async (t) => {
  const cases: Record<string, string>[] = [
    { ORCHESTRATOR_TASK_ID: '' },
    { ORCHESTRATOR_TASK_MARKER: '' },
    { ORCHESTRATOR_TASK_MARKER: '../outside.json' },
    { ORCHESTRATOR_START_COMMIT: '' },
  ];
  for (const env of cases) {
    const { dir, start } = checkout(t);
    writeFileSync(path.join(dir, 'work.txt'), 'work\n');
    const r = stop(dir, start, env);
    t.equal(r.status, 0, r.stderr);
    t.equal(r.subjects.length, 2, `${JSON.stringify(env)}: the work is committed, no marker`);
    t.throws(() => readFileSync(path.join(dir, MARKER)), `${JSON.stringify(env)}: no marker file`);
  }
});
