// Names every layer agrees on, with no dependency of their own, so they sit at the bottom: what a run's
// objects, labels and directories are called (docs/design.md §2), container names, repository spellings,
// label selectors and task patterns: facts of naming, not of one reader.
// - containers.ts: the agent pod's container names and workspace volume: the Job builder gives them, the
//   pod follower, `orchestrator logs` and the capacity count read them.
// - label-selector.ts: the apiserver's label selector syntax, checked offline when the config loads.
// - names.ts: every name derived from a run, each a DNS-1123 label, cut with a stable hash when too long.
// - repository-key.ts: one spelling of a repository, to match a delivery to the runs on it.
// - task-pattern.ts: where a pull request names its task: a branch or label pattern around `{taskId}`,
//   and the task's marker file on the branch.
export {
  AGENT_CONTAINER,
  DOCKER_CONTAINER,
  PREPARE_CONTAINER,
  PUBLISH_CONTAINER,
  WORKSPACE_VOLUME,
} from './containers.js';
export { labelSelectorMatches, labelSelectorProblem } from './label-selector.js';
export {
  agentFromGithubApp,
  BASE_BRANCH_DIR,
  boundedName,
  codeRunActor,
  codeRunJobName,
  docsRunJobName,
  docsWorkspacePvcName,
  filesConfigMapName,
  githubRunName,
  isLabelValue,
  keptLogName,
  qualifiedNameProblem,
  runDirectory,
  runLabelValue,
  slug,
  TASK_FILES_DIR,
  taskRunJobName,
  uidHash,
  WORKSPACE_ROOT,
  workspacePvcName,
} from './names.js';
export { checkoutDirectory, repositoryKey } from './repository-key.js';
export { taskIdFrom, taskMarkerPath, taskPatternProblem } from './task-pattern.js';
