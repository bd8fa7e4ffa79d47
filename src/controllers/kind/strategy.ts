// What differs between the run kinds in reconciling, as one small strategy object per kind: the
// generic run reconciler (src/controllers/reconcile/) asks it for the attempt's object names and
// directory (src/api/attempt-names.ts, shared with the CLI) and for the run's dependencies, and never
// looks at a kind's spec itself (how a run authenticates to GitHub is src/api/github-auth.ts).
// Everything else about a kind (plural, finalizer, attempt field, labels) comes from the kind table
// (src/api/kinds.ts). Each strategy is typed by its kind, so a reconciler built from one handles
// exactly that kind's objects. The design it implements: docs/design.md §1.2.
import {
  ARGO_WORKFLOW_LABEL,
  ATTEMPT_NAMES,
  type AttemptNames,
  type ControllerConfig,
  LABELS,
  type RunKindName,
  type RunOf,
  runLabels,
} from '../../api/index.js';
import { runLabelValue } from '../../naming/index.js';
import { type DependencyVerdict, dependencyVerdict } from './dependencies.js';

/** A kind's attempt names (src/api/attempt-names.ts) and what only reconciling needs of it. */
export interface RunStrategy<K extends RunKindName = RunKindName> extends AttemptNames<K> {
  kind: K;
  /**
   * Where the run's dependencies stand among the cached runs of its kind (`all`, called only when it
   * has some); absent: the kind has none.
   */
  dependencies?(run: RunOf<K>, all: () => readonly RunOf<K>[]): DependencyVerdict;
}

/**
 * Labels of every object made for a run: the run's own labels (admission's), its name, and the Argo
 * Workflow that made it when one did.
 */
export function objectLabels(
  kind: RunKindName,
  run: RunOf<RunKindName>,
  config: ControllerConfig,
): Record<string, string> {
  const workflow = run.metadata?.labels?.[ARGO_WORKFLOW_LABEL];
  return {
    [LABELS.run]: runLabelValue(run.metadata?.name ?? ''),
    ...runLabels(kind, run.spec, config),
    // A label value already: it is one on the run.
    ...(workflow ? { [LABELS.workflowName]: workflow } : {}),
  };
}

export const taskRunStrategy: RunStrategy<'TaskRun'> = {
  kind: 'TaskRun',
  ...ATTEMPT_NAMES.TaskRun,
  dependencies: (run, all) =>
    run.spec.dependsOn?.length ? dependencyVerdict(run, all()) : { state: 'Ready' },
};

export const codeRunStrategy: RunStrategy<'CodeRun'> = { kind: 'CodeRun', ...ATTEMPT_NAMES.CodeRun };

export const docsRunStrategy: RunStrategy<'DocsRun'> = { kind: 'DocsRun', ...ATTEMPT_NAMES.DocsRun };

/** Every kind's strategy: a kind without one is a compile error. */
export const RUN_STRATEGIES: { readonly [K in RunKindName]: RunStrategy<K> } = {
  TaskRun: taskRunStrategy,
  CodeRun: codeRunStrategy,
  DocsRun: docsRunStrategy,
};
