// Where a Task Master project keeps its task list and each task's documents (config taskDocs), relative
// to the project's directory: a DocsRun writes the documents there, a CodeRun reads them from there.
import type { ControllerConfig } from '../api/index.js';

/** Stands for the task id in taskDocs.directory. */
export const TASK_ID_PLACEHOLDER = '{id}';

const parentSegment = /(^|\/)\.\.(\/|$)/;

/** Why a configured path is unusable (the schema has already checked its characters), or undefined. */
export function taskDocsPathProblem(path: string, placeholder: boolean): string | undefined {
  if (parentSegment.test(path)) return "must be a relative path without '..' segments";
  if (!placeholder) return undefined;
  if (!path.includes(TASK_ID_PLACEHOLDER))
    return `must contain ${TASK_ID_PLACEHOLDER}, or every task would share one directory`;
  if (/[{}]/.test(path.replaceAll(TASK_ID_PLACEHOLDER, '')))
    return `may contain braces only as ${TASK_ID_PLACEHOLDER}`;
  return undefined;
}

/** `rel` under the project directory, which may be the repository root ('.'). */
export const underProject = (projectDir: string, rel: string) =>
  projectDir === '.' || projectDir === '' ? rel : `${projectDir.replace(/\/+$/, '')}/${rel}`;

export interface TaskDocsPaths {
  /** The task list, relative to the repository root. */
  tasksFile: string;
  /** One task's documents, relative to the repository root, with {id} left in place. */
  directoryPattern: string;
  /** One task's documents, relative to the repository root. */
  directory: (taskId: number) => string;
}

/** The project's task paths under the configured layout. */
export function taskDocsPaths(config: ControllerConfig, projectDir: string): TaskDocsPaths {
  const pattern = underProject(projectDir, config.taskDocs.directory);
  return {
    tasksFile: underProject(projectDir, config.taskDocs.tasksFile),
    directoryPattern: pattern,
    directory: (taskId) => pattern.replaceAll(TASK_ID_PLACEHOLDER, String(taskId)),
  };
}
