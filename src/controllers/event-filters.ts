// Which cache changes are worth a reconcile (controller-runtime's predicates), as wrappers around an
// event source. Each predicate is a tiny pure function, tested on its own.
import type { EventSource, KubeObject, ResourceEventHandler } from '../runtime/index.js';
import { jobState } from '../runtime/index.js';
import { holdsSlot } from './capacity/holder-index.js';
import { agentState } from './pods/agent-pod.js';

export interface Predicates {
  add?: (obj: KubeObject) => boolean;
  update?: (oldObj: KubeObject, newObj: KubeObject) => boolean;
  delete?: (obj: KubeObject) => boolean;
}

const always = () => true;

/** `source`, delivering only the events its predicates accept (a missing predicate accepts all). */
export function filtered(source: EventSource, predicates: Predicates): EventSource {
  const { add = always, update = always, delete: del = always } = predicates;
  return {
    list: () => source.list(),
    addHandler: (handler: ResourceEventHandler) =>
      source.addHandler({
        onAdd: (obj) => add(obj) && handler.onAdd?.(obj),
        onUpdate: (o, n) => update(o, n) && handler.onUpdate?.(o, n),
        onDelete: (obj) => del(obj) && handler.onDelete?.(obj),
      }),
  };
}

/**
 * A run changed in a way the reconciler acts on: its spec (generation), its deletion or its
 * finalizers. Status-only updates — most of them our own writes — are not.
 */
export function runChanged(oldObj: KubeObject, newObj: KubeObject): boolean {
  const a = oldObj.metadata ?? {};
  const b = newObj.metadata ?? {};
  return (
    a.generation !== b.generation ||
    a.deletionTimestamp !== b.deletionTimestamp ||
    JSON.stringify(a.finalizers ?? []) !== JSON.stringify(b.finalizers ?? [])
  );
}

/**
 * A Job's state changed (Active, Complete, Failed): the slot it held may be free, and its run has an
 * outcome to read. Its other status updates (active and ready counts) are no news to a run: its pod's
 * events say more, sooner.
 */
export function jobFinished(oldObj: KubeObject, newObj: KubeObject): boolean {
  return jobState(oldObj) !== jobState(newObj);
}

/**
 * A run gave up its slot (finished, or went back to waiting): the slot is free. Other changes (a new
 * run's first status, Pending → Running) free nothing and wake no one.
 */
export function leftSlot(oldObj: KubeObject, newObj: KubeObject): boolean {
  return holdsSlot(oldObj) && !holdsSlot(newObj);
}

/**
 * A pod changed in a way its run's status shows (not schedulable, stuck on an error, preparing the
 * workspace, running): an IP address or a readiness flip is no news to a run. An agent's exit is
 * not either: the Job's own finish, which follows it, brings the reconcile that reads the exit.
 */
export function agentChanged(oldPod: KubeObject, newPod: KubeObject): boolean {
  const after = agentState(newPod, '');
  if (after.stage === 'exited') return false;
  const key = (s: ReturnType<typeof agentState>) =>
    s.stage === 'waiting' ? `${s.reason}\n${s.message}` : s.stage;
  return key(agentState(oldPod, '')) !== key(after);
}

/** Owned objects are created by the reconcile itself: their appearance is no news to it. */
export const never = (): boolean => false;
