// Rows of docs/seed-compatibility.md that no other test held, each shown as the seed's user meets it:
// the work branch of a CodeRun and of a DocsRun, the clone's depth, and a team's own Stop hook beside
// the shipped one. The page names these tests by title (test/config/seed-compatibility.test.ts).
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t from 'tap';
import { loadDefaultConfig } from '../../src/config/load.js';
import {
  defaultTemplateDir,
  loadTemplateSet,
  loadValidatedTemplates,
  renderCodeRun,
  renderDocsRun,
  renderTaskRun,
} from '../../src/render/index.js';
import { sampleCodeRun, sampleDocsRun, sampleTaskRun } from '../../src/render/samples.js';
import { entryFixture, git } from '../harness/agent/entry-script.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const fresh = { agent: 'rex', preset: 'default' as const, continuing: false };

/** The work branch the rendered entry script checks out and pushes. */
const workBranch = (script: string | undefined) =>
  /^readonly WORK_BRANCH='([^']*)'$/m.exec(script ?? '')?.[1];

t.test('a CodeRun works on feature/task-N-implementation, the same branch on every attempt', async (t) => {
  const run = sampleCodeRun(fresh, config);
  run.spec.taskId = 42;
  for (const attempt of [1, 2])
    t.equal(
      workBranch(renderCodeRun(set, run, config, attempt).data['container.sh']),
      'feature/task-42-implementation',
      `attempt ${attempt}`,
    );
});

t.test('a DocsRun works on one branch per documented directory, not a random one per run', async (t) => {
  const run = sampleDocsRun({ ...fresh, agent: 'morgan' }, config);
  run.spec.workingDirectory = '_projects/trader';
  const branches = [1, 2].map((attempt) =>
    workBranch(renderDocsRun(set, run, config, attempt).data['container.sh']),
  );
  t.same(branches, ['docs/projects-trader', 'docs/projects-trader'], 'retries continue one branch');
  const later = structuredClone(run);
  later.metadata = { ...later.metadata, name: 'docs-again', uid: 'another-uid' };
  t.equal(
    workBranch(renderDocsRun(set, later, config, 1).data['container.sh']),
    'docs/projects-trader',
    'a later run of the same directory continues it too',
  );
  run.spec.workingDirectory = 'services/billing';
  t.equal(workBranch(renderDocsRun(set, run, config, 1).data['container.sh']), 'docs/services-billing');
});

t.test('a clone is shallow: the base branch at depth 1, not its history', async (t) => {
  const f = entryFixture(t);
  const dir = f.origin(path.join(f.root, 'payments.git'), 'main', { 'README.md': 'one\n' });
  f.branch(dir, 'main', 'release', { 'CHANGES.md': 'two\n' });
  const spec = sampleTaskRun(fresh);
  // file://, as a remote is: git ignores --depth for a plain local path.
  spec.spec.repository = { url: `file://${dir}`, branch: 'release' };
  const rendered = renderTaskRun(set, spec, config, 1, f.options);
  const r = f.run(rendered);
  t.equal(r.status, 0, r.log);
  const repo = rendered.context.paths.repo ?? '';
  t.equal(git(['rev-list', '--count', 'release'], dir).trim(), '2', 'the remote branch has two commits');
  t.equal(git(['rev-parse', '--is-shallow-repository'], repo).trim(), 'true');
  t.equal(git(['rev-list', '--count', 'HEAD~1'], repo).trim(), '1', 'one commit of the base, then the work');
});

t.test(
  "a team's stop hook (agent-shell/stop-0-test.sh) is a Stop hook, run before stop-commit.sh",
  async (t) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'seed-hooks-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    cpSync(defaultTemplateDir(), dir, { recursive: true });
    writeFileSync(path.join(dir, 'agent-shell', 'stop-0-test.sh'), '#!/usr/bin/env bash\nnpm test\n');
    const team = loadValidatedTemplates(dir, config);
    const { data, context } = renderTaskRun(team, sampleTaskRun(fresh), config, 1);
    const settings = JSON.parse(data['settings.json'] ?? '{}');
    const command = settings.hooks.Stop[0].hooks[0].command as string;
    t.equal(command, context.hooks.stopCommand);
    t.match(
      command,
      /^bash '[^']*\/agent-shell\/stop-0-test\.sh' ; bash '[^']*\/agent-shell\/stop-commit\.sh'$/,
    );
    t.match(
      data['container.sh'],
      /install_file 'agent-shell_stop-0-test\.sh' 'config\/agent-shell\/stop-0-test\.sh' '0755'/,
    );
    const shipped = JSON.parse(
      renderTaskRun(set, sampleTaskRun(fresh), config, 1).data['settings.json'] ?? '{}',
    );
    t.match(
      shipped.hooks.Stop[0].hooks[0].command,
      /^bash '[^']*stop-commit\.sh'$/,
      'no test hook is shipped',
    );
  },
);

t.test('one agent image for every run: the shipped profiles all name the same one', async (t) => {
  const images = new Set(Object.values(config.agents).map((agent) => agent.image));
  t.equal(images.size, 1, [...images].join(', '));
  t.match([...images][0], /^ghcr\.io\/5dlabs\/orchestrator-agent:/);
});

// The cache is the agent's alone: what an agent left in it (a build script, a registry config) would
// run in a trusted step that called cargo, so no template but the agent's own CLI does.
t.test("cargo's cache is used by the agent only: no shipped script runs cargo", async (t) => {
  const dir = defaultTemplateDir();
  const scripts = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) =>
    /\.(sh|hbs)$/.test(f),
  );
  t.ok(scripts.length > 10, `the shell templates (${scripts.length})`);
  const calls = scripts.filter((f) =>
    /(^|[\s;|&(`])cargo(\s|$)/m.test(readFileSync(path.join(dir, f), 'utf8')),
  );
  t.same(calls, [], 'no template calls cargo');
});
