// Loads a template directory into a TemplateSet: every template compiled once (strict), linted, and
// placed by the layout below. Any problem anywhere refuses the whole directory (TemplateError lists
// them all), so a half-broken set is never used.
//
//   {templateDir}/**.hbs        the kind's files (its folder: the kind table's templateDir); output
//                               path = template path without .hbs
//   shared/**.hbs               rendered for every kind unless the kind has a file at the same path
//   agents/{agent}.md.hbs       the agent's system prompt, rendered as system-prompt.md;
//                               agents/default.md.hbs serves agents without their own
//   partials/{name}.*.hbs       partials, used as {{> name}}
//   agent-shell/{name}.sh       the agent shell, the operator's shell functions and hooks run in the
//   agent-shell/{name}.mjs      agent container (and the node programs they run): plain files, no
//                               Handlebars, the same for every run (output agent-shell/{file}, key
//                               agent-shell_{file}), sourced or run from the ConfigMap's mount by
//                               the rendered entry script's prelude (partials/values.sh.hbs); shipped
//                               in one ConfigMap per namespace (agent-shell-files.ts), so no template
//                               may render a path under agent-shell/; agent-shell/stop-*.sh are the
//                               stop hooks
//   tool-presets.yaml           the tool presets (tool-presets.ts)
// Other files (README.md, the agent shell's tests *.test.ts) are not templates and are ignored.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { kindFacts, RUN_KIND_NAMES, type RunKindName } from '../api/index.js';
import { packageRoot } from '../util/index.js';
import { type AgentShellFiles, agentShellFiles } from './agent-shell-files.js';
import { type CompiledTemplate, compile, createEnvironment } from './environment.js';
import { TemplateError } from './errors.js';
import { templateOutputProblem } from './keys.js';
import { lintTemplate } from './lint.js';
import { parseToolPresets, TOOL_PRESETS_FILE, type ToolPresets } from './tool-presets.js';

/** A kind's folder of templates. */
export const kindDir = (kind: RunKindName): string => kindFacts(kind).templateDir;
export const SYSTEM_PROMPT = 'system-prompt.md';
export const DEFAULT_AGENT_PROMPT = 'default';
/** The folder of plain shell files added to every run verbatim. */
export const AGENT_SHELL_DIR = 'agent-shell';
/** What agent-shell/ may hold: shell files, and the node programs they run (node: the agent CLI's). */
const AGENT_SHELL_FILE = /\.(?:sh|mjs)$/;
/** The files every kind must render: the entry script and what it reads. */
export const REQUIRED_OUTPUTS: readonly string[] = [
  'container.sh',
  'CLAUDE.md',
  'prompt.md',
  'settings.json',
  'mcp.json',
  'client-config.json',
];

export interface Template {
  /** The template's path in the directory, for messages. */
  source: string;
  render: CompiledTemplate;
}

export interface TemplateSet {
  dir: string;
  /** By kind: output path → template (shared files included, the kind's own winning). */
  outputs: Readonly<Record<RunKindName, ReadonlyMap<string, Template>>>;
  /** By agent name (and "default"): the system prompt template. */
  agents: ReadonlyMap<string, Template>;
  presets: ToolPresets;
  /** The agent shell's files (in every kind's outputs too) and the name of their ConfigMap. */
  agentShell: AgentShellFiles;
  /** Every file read, by path: what the set was built from (to tell whether a reload changed it). */
  sources: Readonly<Record<string, string>>;
}

export const defaultTemplateDir = (): string => path.join(packageRoot(), 'templates');

/**
 * A mounted ConfigMap volume (config/manager) shows its files and directories as symlinks into
 * `..data` → `..<timestamp>/`, the kubelet's atomic-update internals: follow the links, skip those.
 */
function listFiles(dir: string, prefix = ''): string[] {
  return readdirSync(path.join(dir, prefix), { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .filter((entry) => !entry.name.startsWith('..'))
    .flatMap((entry) => {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      const stat = entry.isSymbolicLink() ? statSync(path.join(dir, rel)) : entry;
      if (stat.isDirectory()) return listFiles(dir, rel);
      return stat.isFile() ? [rel] : [];
    });
}

/** Loads and checks `dir` (default the package's templates/); throws TemplateError naming every problem. */
export function loadTemplateSet(dir: string = defaultTemplateDir()): TemplateSet {
  const problems: string[] = [];
  let files: string[];
  try {
    files = listFiles(dir);
  } catch (err) {
    throw new TemplateError(dir, [`cannot read the directory: ${(err as Error).message}`]);
  }
  const env = createEnvironment();
  const compiled = new Map<string, Template>();
  const sources = new Map<string, string>();
  for (const file of files.filter((f) => f.endsWith('.hbs') && !f.startsWith(`${AGENT_SHELL_DIR}/`))) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    sources.set(file, source);
    try {
      problems.push(...lintTemplate(env, file, source).map((p) => `${file}:${p}`));
      if (file.startsWith('partials/')) {
        const name = path.basename(file).split('.')[0] as string;
        env.registerPartial(name, compile(env, source));
      } else compiled.set(file, { source: file, render: compile(env, source) });
    } catch (err) {
      problems.push(`${file}: ${(err as Error).message.split('\n').slice(0, 3).join(' ')}`);
    }
  }

  const kindDirs = RUN_KIND_NAMES.map(kindDir);
  const shared = new Map<string, Template>();
  const agentShell = new Map<string, string>();
  // The agent shell's tests sit beside it (templates/agent-shell/*.test.ts) and are not part of the set.
  for (const file of files.filter((f) => f.startsWith(`${AGENT_SHELL_DIR}/`) && !f.endsWith('.test.ts'))) {
    const problem = AGENT_SHELL_FILE.test(file)
      ? templateOutputProblem(file)
      : `${AGENT_SHELL_DIR}/ holds plain shell files (*.sh) and the node programs they run (*.mjs), not templates`;
    if (problem) {
      problems.push(`${file}: ${problem}`);
      continue;
    }
    const text = readFileSync(path.join(dir, file), 'utf8');
    sources.set(file, text);
    agentShell.set(file, text);
    shared.set(file, { source: file, render: () => text });
  }
  const byKind = new Map<string, Map<string, Template>>(kindDirs.map((k) => [k, new Map()]));
  const agents = new Map<string, Template>();
  for (const [file, template] of compiled) {
    const [top, ...rest] = file.slice(0, -'.hbs'.length).split('/');
    const output = rest.join('/');
    if (top === 'agents' && rest.length === 1 && output.endsWith('.md')) {
      agents.set(output.slice(0, -'.md'.length), template);
      continue;
    }
    const target = top === 'shared' ? shared : byKind.get(top as string);
    if (!target || !output) {
      problems.push(
        `${file}: not part of the layout (kind directories ${kindDirs.join(', ')}, shared/, agents/, partials/, ${AGENT_SHELL_DIR}/)`,
      );
      continue;
    }
    const problem = templateOutputProblem(output);
    if (problem) problems.push(`${file}: output ${output}: ${problem}`);
    else if (output.startsWith(`${AGENT_SHELL_DIR}/`))
      problems.push(
        `${file}: output ${output}: ${AGENT_SHELL_DIR}/ is the agent shell, the same for every run (templates/${AGENT_SHELL_DIR}/*.sh)`,
      );
    else if (output === SYSTEM_PROMPT) problems.push(`${file}: ${SYSTEM_PROMPT} is rendered from agents/`);
    else target.set(output, template);
  }

  const outputs = {} as Record<RunKindName, ReadonlyMap<string, Template>>;
  for (const kind of RUN_KIND_NAMES) {
    const dir = kindDir(kind);
    const merged = new Map([...shared, ...(byKind.get(dir) ?? [])]);
    for (const required of REQUIRED_OUTPUTS)
      if (!merged.has(required)) problems.push(`${dir}/: no ${required}.hbs (here or in shared/)`);
    outputs[kind] = merged;
  }

  let presets: ToolPresets | undefined;
  try {
    const text = readFileSync(path.join(dir, TOOL_PRESETS_FILE), 'utf8');
    sources.set(TOOL_PRESETS_FILE, text);
    const parsed = parseToolPresets(text);
    problems.push(...parsed.problems);
    presets = parsed.presets;
  } catch (err) {
    problems.push(`${TOOL_PRESETS_FILE}: ${(err as Error).message}`);
  }
  if (problems.length || !presets) throw new TemplateError(dir, problems);
  return {
    dir,
    outputs,
    agents,
    presets,
    agentShell: agentShellFiles(agentShell),
    sources: Object.fromEntries(sources),
  };
}

/** The output paths a run of `kind` renders, in a stable order (the entry script first). */
export function outputPaths(set: TemplateSet, kind: RunKindName): string[] {
  const known = sortedOutputs.get(set)?.[kind];
  if (known) return [...known];
  const paths = [...set.outputs[kind].keys(), SYSTEM_PROMPT].sort((a, b) =>
    a === 'container.sh' ? -1 : b === 'container.sh' ? 1 : a.localeCompare(b),
  );
  sortedOutputs.set(set, { ...sortedOutputs.get(set), [kind]: paths });
  return [...paths];
}

/** outputPaths per set and kind, sorted once: a set does not change once loaded (a reload is a new set). */
const sortedOutputs = new WeakMap<TemplateSet, Partial<Record<RunKindName, string[]>>>();
