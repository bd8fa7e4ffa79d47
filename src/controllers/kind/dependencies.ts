// `dependsOn`: a TaskRun starts only when every task it names (in the same namespace and service) has
// a Succeeded TaskRun, and fails when one of them can no longer succeed. Pure functions of the cached
// TaskRuns, plus the mapper that wakes the dependents when a task finishes.
import { finalPhase, type TaskRun } from '../../api/index.js';
import type { EventMapper, KubeObject, Request, ResourceEventHandler } from '../../runtime/index.js';

export type DependencyVerdict =
  | { state: 'Ready' }
  | { state: 'Waiting'; tasks: number[] }
  | { state: 'Failed'; tasks: number[] };

const sameService = (a: TaskRun, b: TaskRun) =>
  a.metadata?.namespace === b.metadata?.namespace && a.spec.serviceName === b.spec.serviceName;

/** A run in this phase will not succeed (unless retried: its dependents then wait again). */
const cannotSucceed = (phase: string | undefined) => phase !== 'Succeeded' && finalPhase(phase);

/** Where `run`'s dependencies stand, among `all` the cached TaskRuns. */
export function dependencyVerdict(run: TaskRun, all: readonly TaskRun[]): DependencyVerdict {
  const waiting: number[] = [];
  const failed: number[] = [];
  for (const taskId of run.spec.dependsOn ?? []) {
    const runs = all.filter((r) => sameService(r, run) && r.spec.taskId === taskId);
    if (runs.some((r) => r.status?.phase === 'Succeeded')) continue;
    if (runs.length > 0 && runs.every((r) => cannotSucceed(r.status?.phase))) failed.push(taskId);
    else waiting.push(taskId);
  }
  if (failed.length) return { state: 'Failed', tasks: failed };
  return waiting.length ? { state: 'Waiting', tasks: waiting } : { state: 'Ready' };
}

const list = (ids: number[]) => `${ids.length > 1 ? 'tasks' : 'task'} ${ids.join(', ')}`;

/** The DependenciesReady condition's content for a verdict. */
export function dependencyCondition(verdict: DependencyVerdict): {
  status: 'True' | 'False';
  reason: string;
  message: string;
} {
  if (verdict.state === 'Ready')
    return {
      status: 'True',
      reason: 'DependenciesSucceeded',
      message: 'every task in dependsOn has succeeded',
    };
  if (verdict.state === 'Waiting')
    return {
      status: 'False',
      reason: 'WaitingForDependencies',
      message: `waiting for ${list(verdict.tasks)} to succeed`,
    };
  return {
    status: 'False',
    reason: 'DependencyFailed',
    message: `${list(verdict.tasks)} failed, so this task cannot run`,
  };
}

/**
 * A TaskRun's phase changed: wake the TaskRuns of its service that depend on its task, among
 * `candidates` (the cached TaskRuns, or those of its service that have dependencies).
 */
export function mapToDependents(candidates: (changed: TaskRun) => readonly KubeObject[]): EventMapper {
  return (obj) => {
    // Only TaskRuns have dependencies: the source and the list are the TaskRun cache.
    const changed = obj as TaskRun;
    return (candidates(changed) as readonly TaskRun[])
      .filter((r) => sameService(r, changed) && (r.spec.dependsOn ?? []).includes(changed.spec.taskId))
      .map((r): Request => ({ namespace: r.metadata?.namespace ?? '', name: r.metadata?.name ?? '' }));
  };
}

const serviceKey = (run: TaskRun) => `${run.metadata?.namespace ?? ''}/${run.spec.serviceName}`;

/**
 * The cached TaskRuns that have dependencies, by namespace and service, kept by the cache's events: a
 * phase change looks among these rather than among every cached run (each status write is one).
 */
export class DependentRuns implements ResourceEventHandler<TaskRun> {
  private readonly byService = new Map<string, Map<string, TaskRun>>();

  of(changed: TaskRun): TaskRun[] {
    return [...(this.byService.get(serviceKey(changed))?.values() ?? [])];
  }

  onAdd(run: TaskRun): void {
    this.onDelete(run);
    if (!run.spec.dependsOn?.length) return;
    const key = serviceKey(run);
    const runs = this.byService.get(key) ?? new Map<string, TaskRun>();
    this.byService.set(key, runs);
    runs.set(run.metadata?.name ?? '', run);
  }

  onUpdate(previous: TaskRun, run: TaskRun): void {
    this.onDelete(previous);
    this.onAdd(run);
  }

  onDelete(run: TaskRun): void {
    const key = serviceKey(run);
    const runs = this.byService.get(key);
    runs?.delete(run.metadata?.name ?? '');
    if (runs?.size === 0) this.byService.delete(key);
  }
}

/** A run's phase changed (it finished, or started again). */
export function phaseChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const phase = (o: KubeObject) => (o.status as { phase?: string } | undefined)?.phase;
  return phase(oldObj) !== phase(newObj);
}
