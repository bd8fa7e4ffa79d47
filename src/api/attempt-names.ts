// The names of what an attempt of a run is made of, by kind: its Job, its ConfigMap and its directory
// in the workspace volume. The reconciler creates them under these names and readers (the CLI's `logs`
// and `describe`) find them by the same ones, so the per-kind choice lives here, beside the kind table;
// the name shapes themselves (lengths, hashes) are src/naming/names.ts's.
import {
  codeRunActor,
  codeRunJobName,
  docsRunJobName,
  filesConfigMapName,
  runDirectory,
  taskRunJobName,
} from '../naming/index.js';
import type { RunKindName, RunOf } from './kinds.js';

export interface AttemptNames<K extends RunKindName = RunKindName> {
  jobName(run: RunOf<K>, attempt: number): string;
  configMapName(run: RunOf<K>, attempt: number): string;
  /** The attempt's directory in the workspace volume (made by the init container), trailing slash. */
  runDirectory(run: RunOf<K>, attempt: number): string;
}

/** The run's uid, which every Job and ConfigMap name of it ends with a hash of (docs/design.md §2). */
const uid = (run: RunOf<RunKindName>): string => run.metadata?.uid ?? '';

const taskRunJob = (run: RunOf<'TaskRun'>, attempt: number) =>
  taskRunJobName(run.spec.serviceName, run.spec.taskId, attempt, uid(run));

const codeRunJob = (run: RunOf<'CodeRun'>, attempt: number) =>
  codeRunJobName(run.spec.service, codeRunActor(run.spec), run.spec.taskId, attempt, uid(run));

const docsRunJob = (run: RunOf<'DocsRun'>, attempt: number) =>
  docsRunJobName(run.metadata?.name ?? '', attempt, uid(run));

/** Every kind's attempt names: a kind without them is a compile error. */
export const ATTEMPT_NAMES: { readonly [K in RunKindName]: AttemptNames<K> } = {
  TaskRun: {
    jobName: taskRunJob,
    configMapName: (run, attempt) => filesConfigMapName(taskRunJob(run, attempt)),
    runDirectory: (run, attempt) =>
      `${runDirectory({ service: run.spec.serviceName, taskId: run.spec.taskId }, attempt)}/`,
  },
  CodeRun: {
    jobName: codeRunJob,
    configMapName: (run, attempt) => filesConfigMapName(codeRunJob(run, attempt)),
    runDirectory: (run, attempt) =>
      `${runDirectory({ service: run.spec.service, taskId: run.spec.taskId }, attempt)}/`,
  },
  DocsRun: {
    jobName: docsRunJob,
    configMapName: (run, attempt) => filesConfigMapName(docsRunJob(run, attempt)),
    runDirectory: (_run, attempt) => `${runDirectory('docs', attempt)}/`,
  },
};

/** The name of the Job of `run`'s attempt `attempt`. */
export function jobNameFor(kind: RunKindName, run: RunOf<RunKindName>, attempt: number): string {
  return (ATTEMPT_NAMES[kind] as AttemptNames).jobName(run, attempt);
}
