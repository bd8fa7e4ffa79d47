// The entry scripts run for real: a real git against local bare repositories, a stub `claude` that
// records how it was called, the ConfigMap written as files. Proves the workspace layout, the branch,
// the task files, memory handling, session resume, the stop hooks pushing the work — and that hostile
// values (quotes, $(...), backticks, newlines) arrive intact and execute nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderCodeRun, renderDocsRun, renderTaskRun } from '../../src/render/index.js';
import { sampleCodeRun, sampleDocsRun, sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture as fixture, git } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };

/** A TaskRun on a local bare repository whose main holds a README, rendered for attempt 1. */
function taskRunOnLocalRepo(f: ReturnType<typeof fixture>) {
  const url = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'hello\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url, branch: 'main' };
  return { url, spec, rendered: renderTaskRun(set, spec, config, 1, f.options) };
}

t.test(
  '--prepare (the first init container) installs the files and checks out; it runs no agent',
  async (t) => {
    const f = fixture(t);
    const { rendered } = taskRunOnLocalRepo(f);
    const { paths } = rendered.context;
    const r = f.run(rendered, {}, true);
    t.equal(r.status, 0, r.log);
    t.equal(
      readFileSync(`${paths.run}/task.md`, 'utf8'),
      rendered.data['task_task.md'],
      'task file installed',
    );
    t.equal(statSync(`${paths.rendered}/agent-shell/stop-commit.sh`).mode & 0o777, 0o755, 'hooks executable');
    t.equal(
      git(['rev-parse', '--abbrev-ref', 'HEAD'], paths.repo ?? '').trim(),
      'feature/task-7-implementation',
    );
    t.match(r.log, /workspace prepared in /);
    t.same(r.argv, [], 'the agent is not run');
    t.notOk(existsSync(paths.memory), "no memory file: that is the agent container's part");
    t.equal(r.result, '', 'a prepare phase that succeeds leaves no result: the publisher writes it');
  },
);

t.test(
  'TaskRun: clone, branch, task files, memory, agent call, and the stop hooks push the work',
  async (t) => {
    const f = fixture(t);
    const { url, spec, rendered } = taskRunOnLocalRepo(f);
    const { paths } = rendered.context;
    const first = f.run(rendered);
    t.equal(first.status, 0, first.log);
    t.equal(first.cwd, paths.repo, 'the agent runs in the checkout');
    t.equal(
      git(['rev-parse', '--abbrev-ref', 'HEAD'], paths.repo ?? '').trim(),
      'feature/task-7-implementation',
    );
    t.equal(
      readFileSync(`${paths.run}/task.md`, 'utf8'),
      spec.spec.markdownFiles?.[0]?.content,
      'task file installed',
    );
    t.equal(
      readFileSync(`${paths.run}/prompt.md`, 'utf8'),
      'Be careful with money.\n',
      'a task file named prompt.md',
    );
    t.equal(first.stdin, rendered.data['prompt.md'], 'and the rendered prompt is separate');
    t.equal(statSync(`${paths.rendered}/agent-shell/stop-commit.sh`).mode & 0o777, 0o755);
    t.equal(readFileSync(paths.memory, 'utf8'), rendered.data['CLAUDE.md']);
    t.ok(first.argv.includes(`--model=${rendered.context.agent.model}`));
    t.match(
      first.argv.join(' '),
      /--print .* --output-format stream-json --verbose --setting-sources user --settings \S+settings\.json --mcp-config \S+mcp\.json --strict-mcp-config/,
    );
    t.notOk(
      first.argv.includes('--continue') || first.argv.includes('--resume'),
      'a first attempt starts fresh',
    );
    t.equal(readFileSync(`${paths.run}/session-id`, 'utf8'), 'sess-42\n');
    t.match(first.agentEnv, `\nCARGO_HOME=${paths.base}/.cargo\n`, "cargo's cache is the workspace's");
    t.match(
      git(['log', '--format=%s', 'feature/task-7-implementation'], url),
      /save the agent's work on stop/,
      'pushed by the hook',
    );

    // The next attempt resumes the checkout with its commits and continues the session, and with its
    // build output: cargo's target/ (untracked) is there for the next build (the seeds' caching).
    mkdirSync(`${paths.repo}/target/debug`, { recursive: true });
    writeFileSync(`${paths.repo}/target/debug/built`, 'cached\n');
    const second = f.run(renderTaskRun(set, spec, config, 2, f.options));
    t.equal(second.status, 0, second.log);
    t.equal(
      readFileSync(`${paths.repo}/target/debug/built`, 'utf8'),
      'cached\n',
      'target/ kept for attempt 2',
    );
    t.ok(second.argv.includes('--continue'), 'attempt 2 continues the session');
    t.match(second.log, /resuming the checkout/);
    t.equal(
      git(['show', 'feature/task-7-implementation:agent-output.txt'], url),
      'work of attempt 1\nwork of attempt 2\n',
    );
  },
);

t.test('TaskRun: the agent failing fails the script, after the hooks saved its work', async (t) => {
  const f = fixture(t);
  const url = f.origin(path.join(f.root, 'r.git'), 'main', { a: 'a' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url };
  const r = f.run(renderTaskRun(set, spec, config, 1, f.options), { STUB_EXIT: '3' });
  t.equal(r.status, 3);
  t.match(git(['show', 'feature/task-7-implementation:agent-output.txt'], url), /work of attempt 1/);
});

t.test('TaskRun without a repository: the agent works in the service directory', async (t) => {
  const f = fixture(t);
  const spec = sampleTaskRun(rex);
  delete spec.spec.repository;
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  t.equal(r.cwd, rendered.context.paths.base);
  t.match(r.log, /no repository/);
});

t.test(
  'CodeRun: docs copied, memory kept when asked, the recorded session resumed while it exists',
  async (t) => {
    const f = fixture(t);
    const repo = f.origin(path.join(f.root, 'payments.git'), 'trunk', { 'services/payments/x.txt': 'x' });
    const docs = f.origin(path.join(f.root, 'docs.git'), 'main', {
      'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
      'projects/payments/.taskmaster/docs/task-7/acceptance-criteria.md': '- ok\n',
    });
    const run = sampleCodeRun({ ...rex, continuing: true }, config);
    Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
    const rendered = renderCodeRun(set, run, config, 1, f.options);
    const { paths } = rendered.context;
    mkdirSync(paths.base, { recursive: true });
    // A memory file on the volume that is not this lineage's (its submitter's) own is not kept.
    writeFileSync(paths.memory, 'notes of someone else\n');
    const r = f.run(rendered, { STUB_SESSION: 'session-1234' });
    t.equal(r.status, 0, r.log);
    t.notMatch(readFileSync(paths.memory, 'utf8'), 'someone else', "another lineage's memory is replaced");
    t.match(r.log, /the memory file \S+ is not this lineage's: replaced by the rendered one/);
    // What the lineage kept at the end of its last run is its memory (as if its agent had written it).
    const kept = `${paths.agentState}/lineages/${rendered.context.session.lineage}/CLAUDE.md`;
    t.equal(readFileSync(kept, 'utf8'), readFileSync(paths.memory, 'utf8'), 'saved for the lineage');
    writeFileSync(kept, 'my notes\n');
    t.equal(
      readFileSync(`${paths.base}/.task/current/task.md`, 'utf8'),
      '# Seven\n',
      '.task/current → this attempt',
    );
    t.equal(r.cwd, `${paths.repo}/services/payments`);
    t.equal(
      git(['rev-parse', '--abbrev-ref', 'HEAD'], paths.repo ?? '').trim(),
      'feature/task-7-implementation',
    );
    t.notOk(r.argv.includes('--resume'), 'no stored session yet: starts fresh');
    writeFileSync(paths.memory, 'poisoned by another run\n');
    const again = f.run(renderCodeRun(set, run, config, 2, f.options));
    t.equal(again.status, 0, again.log);
    t.equal(
      readFileSync(paths.memory, 'utf8'),
      'my notes\n',
      "overwriteMemory false keeps the lineage's memory",
    );
    t.same(again.argv.slice(again.argv.indexOf('--resume'), again.argv.indexOf('--resume') + 2), [
      '--resume',
      'session-1234',
    ]);
    t.ok(again.argv.includes(paths.docs ?? ''), 'the docs checkout is an added directory');

    // A recorded session the workspace no longer has (another volume): the latest one goes on.
    run.status = { sessionId: 'gone-5678' };
    const gone = f.run(renderCodeRun(set, run, config, 3, f.options));
    t.equal(gone.status, 0, gone.log);
    t.ok(gone.argv.includes('--continue'));
    t.notOk(gone.argv.includes('--resume'));
    t.match(gone.log, /session gone-5678 is not among lineage unknown's sessions: continuing its latest one/);
  },
);

t.test("CodeRun: the task's marker goes onto the branch with the agent's work, never alone", async (t) => {
  const f = fixture(t);
  const repo = f.origin(path.join(f.root, 'marked.git'), 'main', { 'README.md': 'marked\n' });
  const docs = f.origin(path.join(f.root, 'marked-docs.git'), 'main', {
    'projects/payments/.taskmaster/docs/task-7/task.md': '# Seven\n',
  });
  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { repositoryUrl: repo, docsRepositoryUrl: docs });
  const idle = f.run(renderCodeRun(set, run, config, 1, f.options), { STUB_NO_WORK: '1' });
  t.equal(idle.status, 0, idle.log);
  t.equal(git(['branch', '--list', 'feature/task-7-implementation'], repo), '', 'no work: no branch pushed');
  const worked = f.run(renderCodeRun(set, run, config, 2, f.options));
  t.equal(worked.status, 0, worked.log);
  t.equal(
    git(['show', 'feature/task-7-implementation:.orchestrator/tasks/task-7.json'], repo),
    '{"taskId": 7}\n',
    'the marker names the task',
  );
  t.match(
    git(['log', '-1', '--format=%s', 'feature/task-7-implementation'], repo),
    /^chore: the marker of task 7 /,
  );
});

t.test('DocsRun: only the project directory is checked out', async (t) => {
  const f = fixture(t);
  const url = f.origin(path.join(f.root, 'docs.git'), 'main', {
    'projects/payments/.taskmaster/tasks/tasks.json': '{"tasks":[]}',
    'src/big.c': 'code',
  });
  const run = sampleDocsRun({ ...rex, agent: 'morgan' }, config);
  run.spec.repositoryUrl = url;
  const rendered = renderDocsRun(set, run, config, 1, f.options);
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  const repo = rendered.context.paths.repo ?? '';
  t.ok(existsSync(`${repo}/projects/payments/.taskmaster/tasks/tasks.json`));
  t.notOk(existsSync(`${repo}/src/big.c`), 'the codebase is left out');
  t.equal(git(['rev-parse', '--abbrev-ref', 'HEAD'], repo).trim(), 'docs/projects-payments');
});

t.test('hostile values round-trip through the shell and execute nothing', async (t) => {
  const f = fixture(t);
  const canary = (n: number) => path.join(f.root, `canary${n}`);
  const payload = `'$(id>${canary(1)})"\`id>${canary(2)}\`;id>${canary(3)}|x&y`;
  const model = `m${payload}\n--dangerously-skip-permissions $HOME \\ '`;
  const branch = `main${payload}`;
  const dir = path.join(f.root, `repo ${payload}\nline2`);
  const url = f.origin(dir, branch, { 'README.md': 'r' });
  const spec = sampleTaskRun(rex);
  spec.spec.model = model;
  spec.spec.repository = { url, branch };
  spec.spec.markdownFiles = [
    { filename: '--help.md', content: `# Title ${payload}\n` },
    { filename: 'task.md', content: payload },
  ];
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const script = rendered.data['container.sh'] as string;

  // The values section alone, evaluated by bash, gives back exactly the values.
  const values = script.slice(script.indexOf('# --- Values'), script.indexOf('# The operator'));
  const echo = spawnSync(
    'bash',
    ['-c', `${values}\nprintf '%s\\0' "$MODEL" "$REPO_URL" "$BASE_BRANCH" "$PR_TITLE"`],
    { encoding: 'utf8' },
  );
  t.same(echo.stdout.split('\0').slice(0, -1), [model, url, branch, rendered.context.pullRequest.title]);
  t.match(
    rendered.context.pullRequest.title,
    payload,
    "the publisher's pull request title holds the payload",
  );

  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  t.ok(r.argv.includes(`--model=${model}`), 'the model arrives as one argument, byte for byte');
  t.notOk(r.argv.includes('--dangerously-skip-permissions'));
  t.equal(readFileSync(`${rendered.context.paths.run}/--help.md`, 'utf8'), `# Title ${payload}\n`);
  t.match(
    git(['log', '--format=%s', 'feature/task-7-implementation'], url),
    /save the agent's work/,
    'branched from the hostile base',
  );
  for (const n of [1, 2, 3]) t.notOk(existsSync(canary(n)), `payload ${n} never ran`);
});

t.test('a checkout of another repository in the work directory is never reused as is', async (t) => {
  const f = fixture(t);
  const mine = f.origin(path.join(f.root, 'mine.git'), 'main', { 'mine.txt': 'mine\n' });
  const theirs = f.origin(path.join(f.root, 'theirs.git'), 'main', { 'private.txt': 'secret\n' });
  const spec = sampleTaskRun(rex);
  spec.spec.repository = { url: mine, branch: 'main' };
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const repo = rendered.context.paths.repo ?? '';
  // Left there by someone else (an older layout, a run of another repository, a tampered volume).
  mkdirSync(path.dirname(repo), { recursive: true });
  git(['clone', '-q', theirs, repo]);
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  t.match(r.log, /is of another repository: cloning afresh/);
  t.notOk(existsSync(path.join(repo, 'private.txt')), "the other repository's files are gone");
  t.ok(existsSync(path.join(repo, 'mine.txt')), "the run's repository is checked out");
  t.equal(git(['remote', 'get-url', 'origin'], repo).trim(), mine);
});

t.test("the attempt's limits and the profile's fallback model reach the CLI's command line", async (t) => {
  const f = fixture(t);
  const limited = structuredClone(config);
  const profile = limited.agents.rex;
  if (profile)
    profile.limits = { maxTurns: { default: 40 }, fallbackModel: 'claude-haiku-4-5', onLimit: 'push' };
  // No repository: the command line is all this is about.
  const run = sampleTaskRun(rex);
  delete run.spec.repository;
  Object.assign(run.spec, { limits: { maxBudgetUsd: '2.5' } });
  const r = f.run(renderTaskRun(set, run, limited, 1, f.options));
  t.equal(r.status, 0, r.log);
  const flag = (name: string) => r.argv[r.argv.indexOf(name) + 1];
  t.equal(flag('--max-turns'), '40', "the profile's default, the run naming none");
  t.equal(flag('--max-budget-usd'), '2.5', "the run's own");
  t.equal(flag('--fallback-model'), 'claude-haiku-4-5');
  delete run.spec.limits;
  // A profile that sets no limit (the shipped ones all do).
  const unlimited = structuredClone(config);
  if (unlimited.agents.rex) delete unlimited.agents.rex.limits;
  const none = f.run(renderTaskRun(set, run, unlimited, 1, f.options));
  t.notOk(none.argv.includes('--max-turns') || none.argv.includes('--max-budget-usd'), 'no limit: no flag');
});
