// Renders a run into its ConfigMap data: every template of the run's kind plus the agent's system
// prompt and, for a TaskRun, its markdown files verbatim. Keys follow keys.ts; `files` is the
// explicit key → path list the entry script installs from.
import {
  CONFIGMAP_LIMIT_BYTES,
  type CodeRun,
  type ControllerConfig,
  type DocsRun,
  type ResolvedRun,
  type RunKindName,
  type RunOf,
  resolveRun,
  type TaskRun,
  taskFilesOf,
} from '../api/index.js';
import type { ContextInput, RenderOptions } from './context.js';
import { codeRunContext, docsRunContext, taskRunContext } from './context-kinds.js';
import type { TemplateContext } from './context-types.js';
import { RenderError, TemplateError } from './errors.js';
import { renderedFileKey } from './keys.js';
import { METADATA_KEY, runMetadata } from './run-metadata.js';
import { withSeedAliases } from './seed-aliases.js';
import { strictContext } from './strict-context.js';
import {
  DEFAULT_AGENT_PROMPT,
  outputPaths,
  SYSTEM_PROMPT,
  type Template,
  type TemplateSet,
} from './template-set.js';

export interface RenderedRun {
  /** The ConfigMap's data. */
  data: Record<string, string>;
  /** Every key with its path relative to the run directory and its file mode. */
  files: TemplateContext['files'];
  /** The context the templates saw (for logs and tests). */
  context: TemplateContext;
  /** The ConfigMap's size as Kubernetes counts it: keys plus values, in bytes. */
  bytes: number;
}

function agentPrompt(
  set: TemplateSet,
  { name, systemPrompt, systemPromptText }: TemplateContext['agent'],
): Template {
  // Text from the config (the seeds' Helm values) is the prompt as written, never a template.
  if (systemPromptText !== null)
    return { source: `config agents.${name}.systemPromptText`, render: () => systemPromptText };
  // A prompt the profile names must exist: falling back to the default would hide a typo.
  if (systemPrompt !== null) {
    const named = set.agents.get(systemPrompt);
    if (!named)
      throw new RenderError(
        `agent "${name}" names systemPrompt "${systemPrompt}" but templates/agents/ has no ${systemPrompt}.md.hbs`,
      );
    return named;
  }
  const agent = name;
  const template = set.agents.get(agent) ?? set.agents.get(DEFAULT_AGENT_PROMPT);
  if (!template)
    throw new TemplateError(set.dir, [`agents/: no ${agent}.md.hbs and no ${DEFAULT_AGENT_PROMPT}.md.hbs`]);
  return template;
}

function renderAll(
  set: TemplateSet,
  kind: RunKindName,
  context: TemplateContext,
  verbatim: Record<string, string>,
): RenderedRun {
  // The seeds' variable names render too (seed-aliases.ts), derived from the same context.
  const strict = strictContext(withSeedAliases(context));
  const data: Record<string, string> = {};
  for (const output of outputPaths(set, kind)) {
    const template =
      output === SYSTEM_PROMPT ? agentPrompt(set, context.agent) : set.outputs[kind].get(output);
    if (!template) continue;
    try {
      data[renderedFileKey(output)] = template.render(strict);
    } catch (err) {
      throw new TemplateError(set.dir, [`${template.source}: ${(err as Error).message}`]);
    }
  }
  Object.assign(data, verbatim, { [METADATA_KEY]: runMetadata(context) });
  const bytes = Object.entries(data).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (bytes > CONFIGMAP_LIMIT_BYTES) {
    const largest = Object.entries(data)
      .map(([k, v]) => ({ k, n: Buffer.byteLength(v) }))
      .sort((a, b) => b.n - a.n)
      .slice(0, 3)
      .map(({ k, n }) => `${k} ${(n / 1024).toFixed(1)} KiB`)
      .join(', ');
    throw new RenderError(
      `the rendered files total ${(bytes / 1024).toFixed(1)} KiB, over the 1 MiB ConfigMap limit; largest: ${largest}`,
    );
  }
  return { data, files: context.files, context, bytes };
}

const input = (set: TemplateSet, kind: RunKindName, options?: RenderOptions): ContextInput => ({
  outputs: outputPaths(set, kind),
  presets: set.presets,
  options,
});

/** A resolved run's context and its verbatim files, by kind (a kind without one is a compile error). */
const CONTEXTS: {
  [K in RunKindName]: (
    resolved: ResolvedRun<K>,
    config: ControllerConfig,
    attempt: number,
    input: ContextInput,
  ) => { context: TemplateContext; verbatim: Record<string, string> };
} = {
  TaskRun: (resolved, config, attempt, input) => {
    const context = taskRunContext(resolved, config, attempt, input);
    const verbatim: Record<string, string> = {};
    const contents = taskFilesOf(resolved.run.spec);
    for (const [i, file] of context.task.files.entries()) verbatim[file.key] = contents[i]?.content ?? '';
    return { context, verbatim };
  },
  CodeRun: (resolved, config, attempt, input) => ({
    context: codeRunContext(resolved, config, attempt, input),
    verbatim: {},
  }),
  DocsRun: (resolved, config, attempt, input) => ({
    context: docsRunContext(resolved, config, attempt, input),
    verbatim: {},
  }),
};

/** Renders a run the reconciler resolved (src/api/resolved-run.ts): nothing is resolved again. */
export function renderResolved<K extends RunKindName>(
  set: TemplateSet,
  resolved: ResolvedRun<K>,
  config: ControllerConfig,
  attempt: number,
  options?: RenderOptions,
): RenderedRun {
  const { kind } = resolved;
  const build: (typeof CONTEXTS)[K] = CONTEXTS[kind];
  const { context, verbatim } = build(resolved, config, attempt, input(set, kind, options));
  return renderAll(set, kind, context, verbatim);
}

/**
 * Renders a run of `kind` as stored, resolved first (src/api/resolved-run.ts), so that a run stored
 * without the webhooks renders as an admitted one would.
 */
export function renderRun<K extends RunKindName>(
  set: TemplateSet,
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
  attempt: number,
  options?: RenderOptions,
): RenderedRun {
  return renderResolved(set, resolveRun(kind, run, config), config, attempt, options);
}

/** @internal renderRun for one kind, as the tests call it. */
export const renderTaskRun = (
  set: TemplateSet,
  run: TaskRun,
  config: ControllerConfig,
  attempt: number,
  options?: RenderOptions,
): RenderedRun => renderRun(set, 'TaskRun', run, config, attempt, options);

/** @internal renderRun for one kind, as the tests call it. */
export const renderCodeRun = (
  set: TemplateSet,
  run: CodeRun,
  config: ControllerConfig,
  attempt: number,
  options?: RenderOptions,
): RenderedRun => renderRun(set, 'CodeRun', run, config, attempt, options);

/** @internal renderRun for one kind, as the tests call it. */
export const renderDocsRun = (
  set: TemplateSet,
  run: DocsRun,
  config: ControllerConfig,
  attempt: number,
  options?: RenderOptions,
): RenderedRun => renderRun(set, 'DocsRun', run, config, attempt, options);
