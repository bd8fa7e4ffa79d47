// What differs between the run kinds, as one small strategy object per kind: the generic run reconciler
// (run-reconciler.ts) asks it for names, labels and the attempt the spec asks for, and never looks at a
// kind's spec itself. DESIGN.md names TaskRun objects; CodeRun and DocsRun objects are named here, after
// the same pattern (a collision with another run's object is reported as a conflict, never shared).

import { runAgent, runLabels } from '../admission/defaults.js';
import {
  type ApiKind,
  type CodeRun,
  type ControllerConfig,
  type DocsRun,
  FINALIZERS,
  GROUP,
  LABELS,
  type Run,
  type TaskRun,
  VERSION,
} from '../api/index.js';
import {
  agentFromGithubApp,
  boundedName,
  taskRunConfigMapName,
  taskRunJobName,
  taskRunWorkspacePath,
} from '../naming/names.js';
import type { ResourceType } from '../runtime/index.js';
import { type DependencyVerdict, dependencyVerdict } from './dependencies.js';

export interface RunKind<R extends Run = Run> {
  kind: ApiKind;
  plural: string;
  finalizer: string;
  /** The spec field whose increase asks for a new attempt; none: the kind runs once. */
  attemptField?: 'retryAttempt' | 'contextVersion';
  /** The attempt the spec asks for (the attemptField's value, 1 when unset). */
  specAttempt(run: R): number;
  jobName(run: R, attempt: number): string;
  configMapName(run: R, attempt: number): string;
  /** The attempt's directory in the workspace volume (made by the init container). */
  runDirectory(run: R, attempt: number): string;
  /** The agent profile the run uses (after defaulting). */
  agent(run: R, config: ControllerConfig): string;
  /** The GitHub App the run acts as (names its secrets), if any. */
  githubApp(run: R, config: ControllerConfig): string | undefined;
  /** Where the run's dependencies stand among the cached runs of its kind; absent: it has none. */
  dependencies?(run: R, all: readonly R[]): DependencyVerdict;
  /** Labels of every object made for the run (DESIGN.md §4). */
  labels(run: R, config: ControllerConfig): Record<string, string>;
}

/** The run's agent, as admission defaults it (a TaskRun's spec.agent or the default; else from githubApp). */
const agentOf =
  (kind: ApiKind) =>
  (run: Run, config: ControllerConfig): string =>
    runAgent(kind, run.spec as Record<string, unknown>, config) ?? '';

/** The labels admission puts on the run, and the run's name (DESIGN.md §4). */
const labelsOf =
  (kind: ApiKind) =>
  (run: Run, config: ControllerConfig): Record<string, string> => {
    const labels: Record<string, string> = { [LABELS.run]: run.metadata?.name ?? '' };
    for (const [key, value] of Object.entries(runLabels(kind, run.spec as Record<string, unknown>, config)))
      if (value !== undefined) labels[key] = value;
    return labels;
  };

/** The attempt a spec asks for: its `field`, 1 when unset or when the kind has no such field. */
const attemptIn =
  (field: RunKind['attemptField']) =>
  (run: Run): number =>
    field === undefined ? 1 : Number((run.spec as Record<string, unknown>)[field] ?? 1);

export const taskRunKind: RunKind<TaskRun> = {
  kind: 'TaskRun',
  plural: 'taskruns',
  finalizer: FINALIZERS.TaskRun,
  attemptField: 'retryAttempt',
  specAttempt: attemptIn('retryAttempt'),
  jobName: (run, attempt) => taskRunJobName(run.spec.serviceName, run.spec.taskId, attempt),
  configMapName: (run, attempt) => taskRunConfigMapName(run.spec.serviceName, run.spec.taskId, attempt),
  runDirectory: (run, attempt) => taskRunWorkspacePath(run.spec.serviceName, run.spec.taskId, attempt),
  agent: agentOf('TaskRun'),
  githubApp: (run, config) => {
    const agent = taskRunKind.agent(run, config);
    return Object.hasOwn(config.agents, agent) ? config.agents[agent]?.githubApp : undefined;
  },
  dependencies: dependencyVerdict,
  labels: labelsOf('TaskRun'),
};

/** `{service}-{agent}-task-{taskId}-v{contextVersion}`: one per agent and context version of a task. */
const codeRunJobName = (run: CodeRun, attempt: number) =>
  boundedName(
    `${run.spec.service}-${agentFromGithubApp(run.spec.githubApp)}-task-${run.spec.taskId}-v${attempt}`,
  );

export const codeRunKind: RunKind<CodeRun> = {
  kind: 'CodeRun',
  plural: 'coderuns',
  finalizer: FINALIZERS.CodeRun,
  attemptField: 'contextVersion',
  specAttempt: attemptIn('contextVersion'),
  jobName: codeRunJobName,
  configMapName: (run, attempt) => boundedName(`${codeRunJobName(run, attempt)}-files`),
  runDirectory: (run, attempt) => taskRunWorkspacePath(run.spec.service, run.spec.taskId, attempt),
  agent: agentOf('CodeRun'),
  githubApp: (run) => run.spec.githubApp,
  labels: labelsOf('CodeRun'),
};

/** `docs-{run name}-run-{attempt}`: a DocsRun has no task, so its own name identifies it. */
const docsRunJobName = (run: DocsRun, attempt: number) =>
  boundedName(`docs-${run.metadata?.name}-run-${attempt}`);

export const docsRunKind: RunKind<DocsRun> = {
  kind: 'DocsRun',
  plural: 'docsruns',
  finalizer: FINALIZERS.DocsRun,
  specAttempt: attemptIn(undefined),
  jobName: docsRunJobName,
  configMapName: (run, attempt) => boundedName(`${docsRunJobName(run, attempt)}-files`),
  runDirectory: (_run, attempt) => `/workspace/docs/.task/docs/run-${attempt}/`,
  agent: agentOf('DocsRun'),
  githubApp: (run) => run.spec.githubApp,
  labels: labelsOf('DocsRun'),
};

/** The API resource of a kind's runs. */
export const runResource = (strategy: RunKind): ResourceType => ({
  group: GROUP,
  version: VERSION,
  plural: strategy.plural,
  kind: strategy.kind,
});
