// `orchestrator render`: offline, the samples render into the layout of the agent's pod, and what is
// written parses (JSON is JSON, shell scripts pass bash -n).
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { memoryIO } from '../../test/harness/fakes/cli-io.js';
import { packageRoot } from '../util/package-root.js';
import { main } from './main.js';

const samples = join(packageRoot(), 'config', 'samples');
const render = async (args: string[], stdin?: string) => {
  const io = memoryIO(stdin === undefined ? {} : { stdin });
  const code = await main(['node', 'orchestrator', 'render', ...args], io);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

const walk = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(join(dir, f)).isFile());

for (const sample of ['taskrun.yaml', 'coderun.yaml', 'docsrun.yaml']) {
  t.test(`${sample}: files laid out as in the pod, each one parses`, async (t) => {
    const out = mkdtempSync(join(tmpdir(), 'cli-render-'));
    const res = await render(['-f', join(samples, sample), '--out', out]);
    t.equal(res.code, 0, res.stderr);
    const files = walk(out).sort();
    t.ok(files.includes('config/container.sh'), 'the entry script under config/');
    for (const file of files) {
      t.match(res.stdout, new RegExp(`\\n {2}${file.replace(/[.]/g, '\\.')} +\\d+ B {2}0(644|755)\\n`), file);
      const path = join(out, file);
      if (file.endsWith('.json')) t.doesNotThrow(() => JSON.parse(readFileSync(path, 'utf8')), file);
      if (file.endsWith('.sh')) {
        const check = spawnSync('bash', ['-n', path], { encoding: 'utf8' });
        t.equal(check.status, 0, `bash -n ${file}: ${check.stderr}`);
        t.equal(statSync(path).mode & 0o777, 0o755, `${file} is executable`);
      }
    }
    if (sample === 'taskrun.yaml') {
      t.ok(files.includes('task.md') && files.includes('acceptance-criteria.md'), 'task files at the top');
      t.match(readFileSync(join(out, 'task.md'), 'utf8'), '# Task 7: retry failed card captures');
      t.match(res.stdout, /^TaskRun\/payments-task-7 attempt 1 -> /);
    }
  });
}

t.test('--attempt, standard input, and the default directory ./rendered-<name>', async (t) => {
  const cwd = process.cwd();
  const dir = mkdtempSync(join(tmpdir(), 'cli-render-cwd-'));
  process.chdir(dir);
  t.teardown(() => process.chdir(cwd));
  const res = await render(
    ['-f', '-', '--attempt', '3'],
    readFileSync(join(samples, 'coderun.yaml'), 'utf8'),
  );
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, 'CodeRun/payments-task-7-rex attempt 3 -> rendered-payments-task-7-rex/');
  t.match(readFileSync(join(dir, 'rendered-payments-task-7-rex', 'config', 'container.sh'), 'utf8'), /run-3/);
});

t.test('a run admission would deny is reported with its findings, not rendered', async (t) => {
  const res = await render([
    '-f',
    join(samples, 'invalid', 'unknown-agent.yaml'),
    '--out',
    mkdtempSync(join(tmpdir(), 'r-')),
  ]);
  t.equal(res.code, 1);
  t.match(
    res.stderr,
    /TaskRun\/unknown-agent: admission would deny it:\n {2}spec\.agent: Unsupported value: "bob"/,
  );
});

t.test('a template error names the template', async (t) => {
  const templates = mkdtempSync(join(tmpdir(), 'cli-render-templates-'));
  cpSync(join(packageRoot(), 'templates'), templates, { recursive: true });
  const prompt = join(templates, 'code', 'prompt.md.hbs');
  writeFileSync(prompt, `${readFileSync(prompt, 'utf8')}\n{{codeRun.noSuchField}}\n`);
  const res = await render([
    '-f',
    join(samples, 'coderun.yaml'),
    '--templates',
    templates,
    '--out',
    mkdtempSync(join(tmpdir(), 'r-')),
  ]);
  t.equal(res.code, 1);
  t.match(res.stderr, /code\/prompt\.md\.hbs/);
});
