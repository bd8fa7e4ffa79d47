// Status conditions in the metav1.Condition shape, with Kubernetes' semantics: lastTransitionTime moves
// only when the status flips, so that `kubectl get -o yaml` tells when a state really began.
import type { Condition, ConditionStatus } from '../api/index.js';

export interface ConditionUpdate {
  type: string;
  status: ConditionStatus;
  /** CamelCase, e.g. `JobCreated`, `WaitingForDependencies`. */
  reason: string;
  message: string;
}

/** The conditions after applying `update` (a new array; the input is not modified). */
export function setCondition(
  conditions: readonly Condition[] | undefined,
  update: ConditionUpdate,
  observedGeneration: number,
  now: () => Date = () => new Date(),
): Condition[] {
  const list = [...(conditions ?? [])];
  const i = list.findIndex((c) => c.type === update.type);
  const existing = i >= 0 ? list[i] : undefined;
  const lastTransitionTime =
    existing && existing.status === update.status
      ? existing.lastTransitionTime
      : now()
          .toISOString()
          .replace(/\.\d+Z$/, 'Z');
  const next: Condition = { ...update, observedGeneration, lastTransitionTime };
  if (i >= 0) list[i] = next;
  else list.push(next);
  return list;
}

export function findCondition(
  conditions: readonly Condition[] | undefined,
  type: string,
): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}

/** Whether two condition lists say the same thing (ignoring order), so unchanged status is not written. */
export function sameConditions(
  a: readonly Condition[] | undefined,
  b: readonly Condition[] | undefined,
): boolean {
  const key = (list: readonly Condition[] | undefined) =>
    JSON.stringify(
      [...(list ?? [])]
        .sort((x, y) => x.type.localeCompare(y.type))
        .map((c) => [c.type, c.status, c.reason, c.message, c.observedGeneration, c.lastTransitionTime]),
    );
  return key(a) === key(b);
}
