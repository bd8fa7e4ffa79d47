// Rendering runs into their ConfigMaps: the public surface used by the reconciler.

export {
  applyAgentTools,
  docsBranch,
  featureBranch,
  type RenderOptions,
} from './context.js';
export type { RepoContext, TaskFileContext, TemplateContext } from './context-types.js';
export { RenderError, TemplateError } from './errors.js';
export {
  configMapKeyProblem,
  configMapKeyToPath,
  RENDERED_DIR,
  renderedFileKey,
  TASK_FILE_PREFIX,
  taskFileKey,
} from './keys.js';
export {
  CONFIGMAP_LIMIT_BYTES,
  type RenderedRun,
  renderCodeRun,
  renderDocsRun,
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
