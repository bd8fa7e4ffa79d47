// Loading and accepting template directories: strict variables, the quoting lint, the layout rules,
// validation against sample runs, and hot reload keeping the last good set.
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { shellProblems } from '../../test/harness/util/output-checks.js';
import { configFrom, loadDefaultConfig } from '../config/load.js';
import {
  defaultTemplateDir,
  loadTemplateSet,
  loadValidatedTemplates,
  renderTaskRun,
  TemplateError,
  watchTemplates,
  withoutAgentShell,
} from './index.js';
import { sampleTaskRun } from './samples.js';

const config = loadDefaultConfig();

/** A copy of the shipped templates to break. */
function copyTemplates(t: Test): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'templates-'));
  cpSync(defaultTemplateDir(), dir, { recursive: true });
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}
const edit = (dir: string, file: string, fn: (s: string) => string) =>
  writeFileSync(path.join(dir, file), fn(readFileSync(path.join(dir, file), 'utf8')));

const problemsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof TemplateError) return err.problems;
    throw err;
  }
  return [];
};

t.test('the shipped templates load and validate against the default config', async (t) => {
  const set = loadValidatedTemplates(undefined, config);
  t.equal(set.dir, defaultTemplateDir());
  t.ok(set.outputs.TaskRun.has('container.sh'));
  t.ok(set.outputs.CodeRun.has('agent-shell/stop-commit.sh'), 'shared files are in every kind');
});

t.test('an undefined variable is an error, in a plain mustache and in a helper argument', async (t) => {
  for (const [file, text] of [
    ['taskrun/CLAUDE.md.hbs', '\nModel: {{agent.modle}}\n'],
    ['shared/coding-guidelines.md.hbs', '\n{{#if task.nmae}}x{{/if}}\n'],
    ['taskrun/container.sh.hbs', '\necho {{shq run.atempt}}\n'],
  ] as const) {
    const dir = copyTemplates(t);
    edit(dir, file, (s) => s + text);
    const set = loadTemplateSet(dir);
    const err = t.throws(() =>
      renderTaskRun(set, sampleTaskRun({ agent: 'rex', preset: 'default', continuing: false }), config, 1),
    ) as TemplateError;
    t.type(err, TemplateError, file);
    t.match(err.message, new RegExp(`${file.replace('.', '\\.')}.*(undefined variable|not defined)`), file);
    const problems = problemsOf(() => loadValidatedTemplates(dir, config));
    t.ok(problems.length > 0, `${file}: refused by validation`);
  }
});

t.test('a raw value in a .sh or .json template is refused at load', async (t) => {
  const dir = copyTemplates(t);
  edit(dir, 'taskrun/container.sh.hbs', (s) => s.replace('{{shq task.id}}', '{{task.id}}'));
  edit(dir, 'shared/settings.json.hbs', (s) => s.replace('{{json agent.model}}', '"{{agent.model}}"'));
  const problems = problemsOf(() => loadTemplateSet(dir));
  t.match(
    problems.join('\n'),
    /taskrun\/container\.sh\.hbs:\d+:\d+: \{\{task\.id\}\} prints a value unquoted; in a \.sh template use shq or shwords/,
  );
  t.match(problems.join('\n'), /shared\/settings\.json\.hbs:\d+:\d+: \{\{agent\.model\}\} .* use json/);
});

t.test('layout problems are all reported at once', async (t) => {
  const dir = copyTemplates(t);
  rmSync(path.join(dir, 'docs/prompt.md.hbs'));
  writeFileSync(path.join(dir, 'code/my_file.md.hbs'), 'x');
  writeFileSync(path.join(dir, 'stray.md.hbs'), 'x');
  writeFileSync(path.join(dir, 'taskrun/broken.md.hbs'), '{{#if run}}unclosed');
  edit(dir, 'tool-presets.yaml', (s) =>
    s
      .replace('local: [filesystem]', 'local: [filesystem, nope]')
      .replace('  git:\n', '  tools:\n')
      .replace('/tmp/orchestrator-agent-memory.json', '/workspace/.agent-memory.json'),
  );
  const problems = problemsOf(() => loadTemplateSet(dir)).join('\n');
  t.match(problems, /docs\/: no prompt\.md\.hbs/);
  t.match(problems, /code\/my_file\.md\.hbs: output my_file\.md: path segment "my_file\.md"/);
  t.match(problems, /stray\.md\.hbs: not part of the layout/);
  t.match(problems, /taskrun\/broken\.md\.hbs: Parse error/);
  t.match(problems, /presets\.minimal\.local: "nope" is not in localServers/);
  t.match(problems, /localServers\.tools: has the remote server's name/);
  // A hostile agent's memory file would steer every later run mounting the volume.
  t.match(
    problems,
    /localServers\.memory\.env\.MEMORY_FILE_PATH: a server's state may not live on the workspace volume/,
  );
});

t.test(
  'agent-shell/: plain .sh files go into every run verbatim; anything else there is refused',
  async (t) => {
    const dir = copyTemplates(t);
    writeFileSync(
      path.join(dir, 'agent-shell/extra.sh'),
      '# shellcheck shell=bash\necho "{{not a template}}"\n',
    );
    writeFileSync(path.join(dir, 'agent-shell/extra.test.ts'), 'not part of the set');
    const set = loadTemplateSet(dir);
    const run = sampleTaskRun({ agent: 'rex', preset: 'default', continuing: false });
    const { data, files } = renderTaskRun(set, run, config, 1);
    t.equal(
      data['agent-shell_extra.sh'],
      '# shellcheck shell=bash\necho "{{not a template}}"\n',
      'no Handlebars',
    );
    t.equal(data['agent-shell_lib.sh'], readFileSync(path.join(dir, 'agent-shell/lib.sh'), 'utf8'));
    t.ok(files.some((f) => f.key === 'agent-shell_lib.sh' && f.path === 'config/agent-shell/lib.sh'));
    t.notOk(
      Object.keys(data).some((k) => k.includes('test')),
      'tests are not shipped',
    );
    // The agent shell's ConfigMap holds exactly these, under a name that follows their content.
    t.same(
      set.agentShell.data,
      withoutKeys(data, (k) => !k.startsWith('agent-shell_')),
    );
    t.not(set.agentShell.name, loadTemplateSet().agentShell.name, 'a new file is a new version');
    t.same(
      Object.keys(withoutAgentShell(data, set.agentShell)).filter((k) => k.startsWith('agent-shell_')),
      [],
    );
    writeFileSync(path.join(dir, 'agent-shell/lib.sh.hbs'), 'x');
    writeFileSync(path.join(dir, 'agent-shell/bad_name.sh'), 'x');
    // A kind's template may not replace an agent shell file: the agent shell is the same for every run.
    mkdirSync(path.join(dir, 'code/agent-shell'));
    writeFileSync(path.join(dir, 'code/agent-shell/lib.sh.hbs'), 'x');
    const problems = problemsOf(() => loadTemplateSet(dir)).join('\n');
    t.match(problems, /agent-shell\/lib\.sh\.hbs: agent-shell\/ holds plain shell files/);
    t.match(problems, /agent-shell\/bad_name\.sh: path segment "bad_name\.sh"/);
    t.match(
      problems,
      /code\/agent-shell\/lib\.sh\.hbs: output agent-shell\/lib\.sh: agent-shell\/ is the agent shell, the same for every run/,
    );
  },
);

/** `data` without the keys `drop` picks. */
const withoutKeys = (data: Record<string, string>, drop: (key: string) => boolean) =>
  Object.fromEntries(Object.entries(data).filter(([k]) => !drop(k)));

t.test('an agent without a prompt template needs agents/default.md.hbs', async (t) => {
  const withScout = configFrom({
    ...config,
    githubApps: [...(config.githubApps ?? []), '5DLabs-Scout'],
    agents: { ...config.agents, scout: { image: 'x', model: 'm', githubApp: '5DLabs-Scout' } },
  });
  t.same(
    problemsOf(() => loadValidatedTemplates(undefined, withScout)),
    [],
    'default.md.hbs serves scout',
  );
  const dir = copyTemplates(t);
  rmSync(path.join(dir, 'agents/default.md.hbs'));
  t.match(
    problemsOf(() => loadValidatedTemplates(dir, withScout)).join('\n'),
    /agent=scout.*no scout\.md\.hbs and no default\.md\.hbs/,
  );
});

t.test("a profile's systemPrompt picks another agent's prompt, and must exist", async (t) => {
  const named = (systemPrompt: string) =>
    configFrom({
      ...config,
      githubApps: [...(config.githubApps ?? []), '5DLabs-Scout'],
      agents: {
        ...config.agents,
        scout: { image: 'x', model: 'm', githubApp: '5DLabs-Scout', systemPrompt },
      },
    });
  t.same(
    problemsOf(() => loadValidatedTemplates(undefined, named('cipher'))),
    [],
    'cipher.md.hbs serves scout',
  );
  t.match(
    problemsOf(() => loadValidatedTemplates(undefined, named('sentry'))).join('\n'),
    /agent "scout" names systemPrompt "sentry" but templates\/agents\/ has no sentry\.md\.hbs/,
  );
});

t.test('shellcheck problems are reported, not hidden', async (t) => {
  const problems = shellProblems([
    { name: 'bad', content: '#!/usr/bin/env bash\necho $1\nif [ x = x; then\n' },
  ]);
  t.match(problems.join('\n'), /bad: bash -n/);
  t.match(problems.join('\n'), /bad: shellcheck/);
});

t.test('scripts that differ only in quoted values lose no finding to the per-skeleton check', async (t) => {
  // One skeleton: only one of them (the last) is checked with its sources followed, so what only the
  // others say must still be found by the check of every script.
  const script = (value: string, extra = '') =>
    `#!/usr/bin/env bash\n# shellcheck source=lib.sh\nsource ./lib.sh\nNAME=${value}\necho "$NAME $USED"\n${extra}`;
  const sourced = { 'lib.sh': '# shellcheck shell=bash\nexport USED=1\n' };
  t.same(shellProblems([{ name: 'clean', content: script("'a'") }], sourced), [], 'a clean script passes');
  const problems = shellProblems(
    [
      { name: 'dollar', content: script("'$HOME'") },
      { name: 'plain', content: script("'a'") },
    ],
    sourced,
  );
  t.match(
    problems.join('\n'),
    /dollar: shellcheck .*SC2016/,
    "a value's own finding, in a script not followed",
  );
  const unused = shellProblems(
    [
      { name: 'first', content: script("'a'", "UNUSED='x'\n") },
      { name: 'second', content: script("'b'", "UNUSED='y'\n") },
    ],
    sourced,
  );
  t.match(
    unused.join('\n'),
    /(first|second): shellcheck .*UNUSED appears unused.*SC2034/,
    'an unused name, decided with the sources',
  );
});

t.test('hot reload applies a good change, refuses a bad one and keeps the last good set', async (t) => {
  const dir = copyTemplates(t);
  const errors: Error[] = [];
  const source = watchTemplates(dir, () => config, { pollMs: 3_600_000, onError: (e) => errors.push(e) });
  t.teardown(() => source.close());
  const run = sampleTaskRun({ agent: 'rex', preset: 'default', continuing: false });
  const first = source.current();
  t.notOk(source.reload(), 'nothing changed');

  edit(dir, 'shared/coding-guidelines.md.hbs', (s) => `${s}\n- Reloaded rule.\n`);
  t.ok(source.reload(), 'a good change applies');
  t.not(source.current(), first);
  t.match(renderTaskRun(source.current(), run, config, 1).data['coding-guidelines.md'], /Reloaded rule/);

  const good = source.current();
  edit(dir, 'shared/coding-guidelines.md.hbs', (s) => `${s}\n{{no.such.value}}\n`);
  t.notOk(source.reload(), 'a bad change is refused');
  t.equal(source.current(), good, 'the last good set stays');
  t.match(errors[0]?.message, /coding-guidelines\.md\.hbs.*undefined variable/);
});

t.test('a refused change is proven again under a new config; the set in force is not', async (t) => {
  const dir = copyTemplates(t);
  rmSync(path.join(dir, 'agents/default.md.hbs'));
  const withScout = configFrom({
    ...config,
    githubApps: [...(config.githubApps ?? []), '5DLabs-Scout'],
    agents: { ...config.agents, scout: { image: 'x', model: 'm', githubApp: '5DLabs-Scout' } },
  });
  let inForce = config;
  const errors: Error[] = [];
  const source = watchTemplates(dir, () => inForce, { pollMs: 3_600_000, onError: (e) => errors.push(e) });
  t.teardown(() => source.close());

  inForce = withScout;
  t.notOk(source.reload(), 'unchanged files are not proven again under the new config');
  t.same(errors, []);

  edit(dir, 'shared/coding-guidelines.md.hbs', (s) => `${s}\n- Reloaded rule.\n`);
  t.notOk(source.reload(), 'a change that fails under the config in force is refused');
  t.notOk(source.reload(), 'and not proven again under the same config');
  t.equal(errors.length, 1, 'nor reported again');
  t.match(errors[0]?.message, /agent=scout.*no scout\.md\.hbs and no default\.md\.hbs/);

  inForce = config;
  t.ok(source.reload(), 'under the next config it is proven again, and applies');
  t.equal(errors.length, 1);
});
