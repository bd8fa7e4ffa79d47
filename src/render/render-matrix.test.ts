// Every kind × agent × tool preset × fresh/continued run renders into a valid ConfigMap: keys valid,
// JSON parses, shell passes bash -n and shellcheck, and everything fits in 1 MiB.
import t from 'tap';
import {
  jsonProblems,
  requireShellcheck,
  type Script,
  shellProblems,
} from '../../test/harness/util/output-checks.js';
import { CONFIGMAP_LIMIT_BYTES, RUN_KIND_NAMES, type RunKindName, type ToolConfig } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { configMapKeyProblem, loadTemplateSet, renderRun } from './index.js';
import { sampleConfig, sampleRun } from './samples.js';

const config = loadDefaultConfig();
const set = loadTemplateSet();
const KINDS: readonly RunKindName[] = RUN_KIND_NAMES;
const AGENTS = ['rex', 'blaze', 'cleo', 'tess', 'morgan'];
const PRESETS: ToolConfig[] = ['minimal', 'default', 'advanced'];
const EXPECTED_KEYS = [
  'container.sh',
  'CLAUDE.md',
  'prompt.md',
  'settings.json',
  'mcp.json',
  'client-config.json',
  'coding-guidelines.md',
  'github-guidelines.md',
  'system-prompt.md',
  'agent-shell_stop-commit.sh',
  'agent-shell_publish.sh',
];

const renders = KINDS.flatMap((kind) =>
  AGENTS.flatMap((agent) =>
    PRESETS.flatMap((preset) =>
      [false, true].map((continuing) => {
        const options = { agent, preset, continuing };
        const cfg = sampleConfig(config, options);
        const { run, attempt } = sampleRun(kind, options, cfg);
        const name = `${kind} ${agent} ${preset}${continuing ? ' continuing' : ''}`;
        return { name, kind, rendered: renderRun(set, kind, run, cfg, attempt) };
      }),
    ),
  ),
);

t.test('the matrix is complete', async (t) => {
  t.equal(renders.length, 3 * 5 * 3 * 2);
  for (const agent of AGENTS) t.ok(set.agents.has(agent), `agents/${agent}.md.hbs exists`);
});

t.test('every ConfigMap key is valid and every file is there', async (t) => {
  const problems = renders.flatMap(({ name, rendered }) => {
    const keys = Object.keys(rendered.data);
    return [
      ...keys.flatMap((k) => {
        const problem = configMapKeyProblem(k);
        return problem ? [`${name}: ${k}: ${problem}`] : [];
      }),
      ...EXPECTED_KEYS.filter((k) => !keys.includes(k)).map((k) => `${name}: no ${k}`),
      ...(keys.sort().join() ===
      rendered.files
        .map((f) => f.key)
        .sort()
        .join()
        ? []
        : [`${name}: files ≠ keys`]),
    ];
  });
  t.same(problems, []);
});

t.test('every .json output parses', async (t) => {
  const files = renders.flatMap(({ name, rendered }) =>
    Object.entries(rendered.data)
      .filter(([k]) => k.endsWith('.json'))
      .map(([k, content]) => ({ name: `${name}: ${k}`, content })),
  );
  t.ok(files.length >= renders.length * 3);
  t.same(jsonProblems(files), []);
});

t.test('every .sh output passes bash -n and shellcheck', async (t) => {
  t.ok(requireShellcheck(), 'shellcheck is installed');
  const agentShell = (key: string) => key.startsWith('agent-shell_');
  const scripts: Script[] = renders.flatMap(({ name, rendered }) =>
    Object.entries(rendered.data)
      .filter(([k]) => k.endsWith('.sh') && !agentShell(k))
      .map(([k, content]) => ({ name: `${name}: ${k}`, content })),
  );
  // The agent shell (the stop hooks included) is plain shell, checked as it is by npm run lint (lint:shell).
  t.equal(scripts.length, renders.length, 'one rendered entry script per run');
  // The agent shell files are the same in every render (verbatim): the scripts source the libraries
  // (and run the programs beside them: the stop hooks, the CLI's model-token helper, node's).
  const sourced = Object.fromEntries(
    Object.entries(renders[0]?.rendered.data ?? {}).filter(
      ([k, content]) => agentShell(k) && k.endsWith('.sh') && !content.startsWith('#!'),
    ),
  );
  t.same(Object.keys(sourced).sort(), [
    'agent-shell_ask-operator.sh',
    'agent-shell_cli-claude.sh',
    'agent-shell_cli-codex.sh',
    'agent-shell_cli-gemini.sh',
    'agent-shell_github-auth.sh',
    'agent-shell_lib.sh',
    'agent-shell_publish.sh',
    'agent-shell_result.sh',
  ]);
  t.same(shellProblems(scripts, sourced), []);
});

t.test('every render fits in a ConfigMap', async (t) => {
  const largest = Math.max(...renders.map((r) => r.rendered.bytes));
  t.ok(largest < CONFIGMAP_LIMIT_BYTES, `largest render ${largest} bytes`);
});
