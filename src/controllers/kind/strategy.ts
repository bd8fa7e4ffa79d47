// What differs between the run kinds in reconciling, as one small strategy object per kind: the
// generic run reconciler (controllers/reconcile/reconciler.ts) asks it for object names and the run directory, and never
// looks at a kind's spec itself (how a run authenticates to GitHub is src/api/github-auth.ts). Everything else about a kind (plural,
// finalizer, attempt field, labels) comes from the kind table (src/api/kinds.ts). Each strategy is
// typed by its kind, so a reconciler built from one handles exactly that kind's objects.
// The design it implements: docs/design.md §1.2.
import { type ControllerConfig, LABELS, type RunKindName, type RunOf, runLabels } from '../../api/index.js';
import {
  codeRunActor,
  codeRunJobName,
  docsRunJobName,
  filesConfigMapName,
  runDirectory,
  runLabelValue,
  taskRunJobName,
} from '../../naming/names.js';
import { type DependencyVerdict, dependencyVerdict } from './dependencies.js';

export interface RunStrategy<K extends RunKindName = RunKindName> {
  kind: K;
  jobName(run: RunOf<K>, attempt: number): string;
  configMapName(run: RunOf<K>, attempt: number): string;
  /** The attempt's directory in the workspace volume (made by the init container), trailing slash. */
  runDirectory(run: RunOf<K>, attempt: number): string;
  /**
   * Where the run's dependencies stand among the cached runs of its kind (`all`, called only when it
   * has some); absent: the kind has none.
   */
  dependencies?(run: RunOf<K>, all: () => readonly RunOf<K>[]): DependencyVerdict;
}

/** Labels of every object made for a run: the run's own labels (admission's) and its name. */
export function objectLabels(
  kind: RunKindName,
  run: RunOf<RunKindName>,
  config: ControllerConfig,
): Record<string, string> {
  return { [LABELS.run]: runLabelValue(run.metadata?.name ?? ''), ...runLabels(kind, run.spec, config) };
}

/** The run's uid, which every Job and ConfigMap name of it ends with a hash of (docs/design.md §2). */
const uid = (run: RunOf<RunKindName>): string => run.metadata?.uid ?? '';

const taskRunJob = (run: RunOf<'TaskRun'>, attempt: number) =>
  taskRunJobName(run.spec.serviceName, run.spec.taskId, attempt, uid(run));

export const taskRunStrategy: RunStrategy<'TaskRun'> = {
  kind: 'TaskRun',
  jobName: taskRunJob,
  configMapName: (run, attempt) => filesConfigMapName(taskRunJob(run, attempt)),
  runDirectory: (run, attempt) =>
    `${runDirectory({ service: run.spec.serviceName, taskId: run.spec.taskId }, attempt)}/`,
  dependencies: (run, all) =>
    run.spec.dependsOn?.length ? dependencyVerdict(run, all()) : { state: 'Ready' },
};

const codeRunJob = (run: RunOf<'CodeRun'>, attempt: number) =>
  codeRunJobName(run.spec.service, codeRunActor(run.spec), run.spec.taskId, attempt, uid(run));

export const codeRunStrategy: RunStrategy<'CodeRun'> = {
  kind: 'CodeRun',
  jobName: codeRunJob,
  configMapName: (run, attempt) => filesConfigMapName(codeRunJob(run, attempt)),
  runDirectory: (run, attempt) =>
    `${runDirectory({ service: run.spec.service, taskId: run.spec.taskId }, attempt)}/`,
};

const docsRunJob = (run: RunOf<'DocsRun'>, attempt: number) =>
  docsRunJobName(run.metadata?.name ?? '', attempt, uid(run));

export const docsRunStrategy: RunStrategy<'DocsRun'> = {
  kind: 'DocsRun',
  jobName: docsRunJob,
  configMapName: (run, attempt) => filesConfigMapName(docsRunJob(run, attempt)),
  runDirectory: (_run, attempt) => `${runDirectory('docs', attempt)}/`,
};

/** Every kind's strategy: a kind without one is a compile error. */
export const RUN_STRATEGIES: { readonly [K in RunKindName]: RunStrategy<K> } = {
  TaskRun: taskRunStrategy,
  CodeRun: codeRunStrategy,
  DocsRun: docsRunStrategy,
};
