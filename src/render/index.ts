// Rendering runs into their ConfigMaps (docs/design.md §1.3): Handlebars templates (templates/) over a
// strict, total context, loaded, linted and validated as a set before use, and hot reloaded. The
// reconciler and `orchestrator render` call renderRun.
// - agent-shell-files.ts: the agent shell's files, the same for every run, and the name of their ConfigMap.
// - context-kinds.ts: each kind's part of the template context: what it checks out, where it works,
//   how it resumes.
// - context-types.ts: the template context's types: everything a template may read, total.
// - context.ts: the context parts every kind shares, with the defaults the templates rely on.
// - outputs-context.ts: the profile's outputs policy (safe outputs) as the publisher and the prompt read it.
// - environment.ts: a Handlebars environment per load, so two template sets never share partials.
// - errors.ts: RenderError (one run fails) and TemplateError (a set is refused).
// - helpers.ts: the template helpers, pure functions tested without a template.
// - issue-link.ts: the pull request body's line closing the issue a run was started from.
// - keys.ts: the ConfigMap keys of rendered files and the paths they encode.
// - lint.ts: every value in a .sh or .json template passes a quoting helper, checked at load time.
// - render.ts: a run rendered into its ConfigMap data.
// - run-metadata.ts: metadata.yaml, what the attempt was, beside the task files in its directory.
// - samples.ts: sample runs of every kind, to try a template set before it is accepted.
// - seed-aliases.ts: the seeds' template variables (task_id, github_app, …), derived from the context.
// - shell.ts: bash quoting of rendered values.
// - strict-context.ts: proxies that make the read of a missing field an error.
// - template-set.ts: a template directory loaded, compiled and laid out, all or nothing.
// - template-source.ts: the running set, hot reloaded through the one file watcher.
// - template-validation.ts: a directory accepted only if it renders for every kind, agent and preset.
// - tool-presets.ts: the tool presets, read from the template directory so they reload with it.

export {
  AGENT_SHELL_CONFIGMAP_PREFIX,
  type AgentShellFiles,
  agentShellFiles,
  agentShellName,
  FORMER_AGENT_SHELL_CONFIGMAP_PREFIX,
  withoutAgentShell,
} from './agent-shell-files.js';
export {
  applyAgentTools,
  docsBranch,
  featureBranch,
  type RenderOptions,
} from './context.js';
export type { RepoContext, TaskFileContext, TemplateContext } from './context-types.js';
export { RenderError, TemplateError } from './errors.js';
export { framed } from './helpers.js';
export {
  configMapKeyProblem,
  configMapKeyToPath,
  RENDERED_DIR,
  renderedFileKey,
  TASK_FILE_PREFIX,
  taskFileKey,
} from './keys.js';
export {
  type RenderedRun,
  renderCodeRun,
  renderDocsRun,
  renderResolved,
  renderRun,
  renderTaskRun,
} from './render.js';
export { shellQuote, shellWords } from './shell.js';
export {
  defaultTemplateDir,
  kindDir,
  loadTemplateSet,
  REQUIRED_OUTPUTS,
  type TemplateSet,
} from './template-set.js';
export { type TemplateSource, type TemplateWatchOptions, watchTemplates } from './template-source.js';
export { loadValidatedTemplates, renderProblems } from './template-validation.js';
export { PRESETS, type ToolPresets } from './tool-presets.js';

/** The key of the entry script: the agent container runs `bash <configMapDir>/container.sh`. */
export const ENTRY_SCRIPT_KEY = 'container.sh';
export { localToolNames, TOOL_PRESETS_FILE } from './tool-presets.js';
