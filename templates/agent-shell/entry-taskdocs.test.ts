// Task documents where Task Master keeps them, with the entry scripts run for real against local git
// repositories laid out as the seed README lays them out: a CodeRun copies .taskmaster/docs/task-{id}/
// (task.md, acceptance-criteria.md, architecture.md) to where its agent reads them, a DocsRun needs
// .taskmaster/tasks/tasks.json in its working directory and fails with a message naming it without.
import { existsSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import { loadTemplateSet, renderCodeRun, renderDocsRun } from '../../src/render/index.js';
import { sampleCodeRun, sampleDocsRun } from '../../src/render/samples.js';
import { entryFixture as fixture } from '../../test/harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const rex = { agent: 'rex', preset: 'default' as const, continuing: false };
const morgan = { ...rex, agent: 'morgan' };
const TASKS = JSON.stringify({ tasks: [{ id: 1, title: 'Order book' }] });

/** The platform repository of the seed: the task list and each task's documents under .taskmaster/. */
const platformFiles = (prefix = '') => ({
  [`${prefix}.taskmaster/tasks/tasks.json`]: TASKS,
  [`${prefix}.taskmaster/docs/task-1/task.md`]: '# Order book\n',
  [`${prefix}.taskmaster/docs/task-1/acceptance-criteria.md`]: '- [ ] matches orders\n',
  [`${prefix}.taskmaster/docs/task-1/architecture.md`]: '## Components\n',
  [`${prefix}.taskmaster/docs/task-2/task.md`]: '# Another task\n',
});

function codeRun(f: ReturnType<typeof fixture>, docs: Record<string, string>) {
  const repo = f.origin(path.join(f.root, 'trader.git'), 'main', { 'README.md': 'trader\n' });
  const docsUrl = f.origin(path.join(f.root, 'platform.git'), 'main', docs);
  const run = sampleCodeRun(rex, config);
  Object.assign(run.spec, { taskId: 1, repositoryUrl: repo, docsRepositoryUrl: docsUrl });
  delete run.spec.docsProjectDirectory;
  delete run.spec.workingDirectory;
  return { run, docsUrl };
}

t.test('CodeRun, the seed layout: the task documents are copied where the agent reads them', async (t) => {
  const f = fixture(t);
  const { run } = codeRun(f, platformFiles());
  const rendered = renderCodeRun(set, run, config, 1, f.options);
  const { paths } = rendered.context;
  t.equal(rendered.context.docs?.taskDir, '.taskmaster/docs/task-1');
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  for (const [name, content] of Object.entries({
    'task.md': '# Order book\n',
    'acceptance-criteria.md': '- [ ] matches orders\n',
    'architecture.md': '## Components\n',
  })) {
    t.equal(readFileSync(`${paths.run}/${name}`, 'utf8'), content, `${name} in the run directory`);
    t.equal(
      readFileSync(`${paths.base}/.task/current/${name}`, 'utf8'),
      content,
      `${name} via .task/current`,
    );
    t.match(rendered.data['CLAUDE.md'], new RegExp(`^@\\.task/current/${name.replace('.', '\\.')}$`, 'm'));
  }
  t.notMatch(r.log, /note: .* has no/, 'nothing missing');
  // The seeds' metadata.yaml beside the task files, in .task/{id}/run-{attempt}/.
  t.match(paths.run, /\/payments\/\.task\/1\/run-1$/);
  t.match(parse(readFileSync(`${paths.run}/metadata.yaml`, 'utf8')), {
    kind: 'CodeRun',
    attempt: 1,
    taskId: 1,
    service: 'payments',
    agent: 'rex',
    repository: { branch: 'feature/task-1-implementation' },
  });
  t.notOk(existsSync(`${paths.run}/tasks.json`), "only the task's own documents");
  t.equal(readFileSync(`${paths.run}/task.md`, 'utf8'), '# Order book\n', "task 1's, not task 2's");
});

t.test(
  "CodeRun: the docs service's prompt.md is the agent's user prompt, before the rendered one",
  async (t) => {
    const f = fixture(t);
    const docsPrompt = '# Autonomous agent instructions\nBuild the order book first.\n';
    const { run } = codeRun(f, { ...platformFiles(), '.taskmaster/docs/task-1/prompt.md': docsPrompt });
    const rendered = renderCodeRun(set, run, config, 1, f.options);
    const r = f.run(rendered);
    t.equal(r.status, 0, r.log);
    t.equal(
      r.stdin,
      `${docsPrompt}\n---\n\n${rendered.data['prompt.md']}`,
      "the task prompt, then the run's",
    );
    t.match(r.log, /the agent's user prompt starts with \.taskmaster\/docs\/task-1\/prompt\.md/);

    const g = fixture(t);
    const without = renderCodeRun(set, codeRun(g, platformFiles()).run, config, 1, g.options);
    // What an earlier run's agent could leave in this attempt's directory on the volume: a prompt.md
    // linking to a file of the prepare phase's. It is never read: the prompt comes from the checkout.
    const planted = without.context.paths.run;
    mkdirSync(planted, { recursive: true });
    const secret = path.join(t.testdir({ 'phase-secret': 'SECRET-OF-THE-PREPARE-PHASE\n' }), 'phase-secret');
    symlinkSync(secret, path.join(planted, 'prompt.md'));
    const plain = g.run(without);
    t.equal(plain.status, 0, plain.log);
    t.equal(plain.stdin, without.data['prompt.md'], 'without one, the rendered prompt alone');
    t.notMatch(
      plain.stdin,
      /SECRET-OF-THE-PREPARE-PHASE/,
      "a prompt.md left in the attempt's directory is not read",
    );
  },
);

t.test('CodeRun: acceptance criteria and architecture are optional, task.md is not', async (t) => {
  const f = fixture(t);
  const only = f.run(
    renderCodeRun(set, codeRun(f, { '.taskmaster/docs/task-1/task.md': '# T\n' }).run, config, 1, f.options),
  );
  t.equal(only.status, 0, only.log);
  t.match(only.log, /note: \.taskmaster\/docs\/task-1 has no acceptance-criteria\.md/);
  t.match(only.log, /note: \.taskmaster\/docs\/task-1 has no architecture\.md/);

  const g = fixture(t);
  const { run, docsUrl } = codeRun(g, { '.taskmaster/docs/task-1/acceptance-criteria.md': '- x\n' });
  const r = g.run(renderCodeRun(set, run, config, 1, g.options));
  t.equal(r.status, 1);
  t.same(r.argv, [], 'the agent never ran');
  t.equal(
    JSON.parse(r.result).summary,
    `failed before the agent ran: no task.md in .taskmaster/docs/task-1 in ${docsUrl} (branch main)`,
  );

  const h = fixture(t);
  const old = codeRun(h, { 'tasks/task-1/task.md': '# the old layout\n' });
  const missing = h.run(renderCodeRun(set, old.run, config, 1, h.options));
  t.equal(missing.status, 1);
  t.equal(
    JSON.parse(missing.result).summary,
    `failed before the agent ran: no task documentation at .taskmaster/docs/task-1 in ${old.docsUrl} (branch main)`,
  );
});

t.test('CodeRun: the configured directory, under the docs project directory', async (t) => {
  const f = fixture(t);
  const custom = configFrom({ ...config, taskDocs: { directory: 'specs/task-{id}/docs' } });
  const { run } = codeRun(f, { 'trader/specs/task-1/docs/task.md': '# Custom\n' });
  run.spec.docsProjectDirectory = 'trader';
  const rendered = renderCodeRun(set, run, custom, 1, f.options);
  t.equal(rendered.context.docs?.taskDir, 'trader/specs/task-1/docs');
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  t.equal(readFileSync(`${rendered.context.paths.run}/task.md`, 'utf8'), '# Custom\n');
});

function docsRun(f: ReturnType<typeof fixture>, files: Record<string, string>, cfg = config) {
  const url = f.origin(path.join(f.root, 'platform.git'), 'main', files);
  const run = sampleDocsRun(morgan, cfg);
  Object.assign(run.spec, { repositoryUrl: url, workingDirectory: '_projects/trader' });
  return { url, rendered: renderDocsRun(set, run, cfg, 1, f.options) };
}

t.test('DocsRun, the seed layout: the task list is found in the working directory', async (t) => {
  const f = fixture(t);
  const { rendered } = docsRun(f, { ...platformFiles('_projects/trader/'), 'src/big.c': 'code' });
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  const repo = rendered.context.paths.repo ?? '';
  t.equal(readFileSync(`${repo}/_projects/trader/.taskmaster/tasks/tasks.json`, 'utf8'), TASKS);
  t.equal(r.cwd, repo);
  t.match(rendered.data['CLAUDE.md'], /listed in `_projects\/trader\/\.taskmaster\/tasks\/tasks\.json`/);
  t.match(rendered.data['CLAUDE.md'], /a directory `_projects\/trader\/\.taskmaster\/docs\/task-\{id\}\/`/);
});

t.test('DocsRun without the task list: fails before the agent, naming the file', async (t) => {
  const f = fixture(t);
  const { url, rendered } = docsRun(f, { '_projects/trader/prd.txt': 'a PRD, not parsed yet' });
  const r = f.run(rendered);
  t.equal(r.status, 1);
  t.same(r.argv, [], 'the agent never ran');
  const expected = `no task list at _projects/trader/.taskmaster/tasks/tasks.json in ${url} (branch main): a DocsRun documents the tasks listed there (create it with Task Master first)`;
  t.match(r.log, `error: ${expected}`);
  const doc = JSON.parse(r.result);
  t.equal(doc.summary, `failed before the agent ran: ${expected}`);
  t.equal(doc.workCompleted, false);

  // A configured task list is the one looked for.
  const g = fixture(t);
  const custom = configFrom({ ...config, taskDocs: { tasksFile: 'plan/tasks.json' } });
  const other = docsRun(g, { '_projects/trader/.taskmaster/tasks/tasks.json': TASKS }, custom);
  const refused = g.run(other.rendered);
  t.equal(refused.status, 1);
  t.match(JSON.parse(refused.result).summary, /no task list at _projects\/trader\/plan\/tasks\.json in /);
  const h = fixture(t);
  const found = h.run(docsRun(h, { '_projects/trader/plan/tasks.json': TASKS }, custom).rendered);
  t.equal(found.status, 0, found.log);
});
