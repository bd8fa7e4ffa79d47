// Mapping an observed object to the requests it should trigger: pure functions, so that a controller's
// wiring can be read (and tested) apart from any informer.
import { groupOf, type KubeObject } from './object.js';
import type { Request } from './reconciler.js';

/** The requests a change of `obj` triggers; `T`: the objects of the source it maps. */
export type EventMapper<T extends KubeObject = KubeObject> = (obj: T) => Request[];

/** A primary object (e.g. a TaskRun) wakes its own reconcile. */
export const mapToSelf: EventMapper = (obj) => {
  const name = obj.metadata?.name;
  return name ? [{ namespace: obj.metadata?.namespace ?? '', name }] : [];
};

export interface OwnerKind {
  /** The owner's API group: '' for the core group, e.g. 'orchestrator.io'. */
  group: string;
  kind: string;
}

/**
 * An owned object (a Job, a ConfigMap) wakes the reconcile of its controller owner — the one owner
 * reference with `controller: true` — when that owner has the given group and kind; otherwise nothing.
 * Like controller-runtime's EnqueueRequestForOwner(OnlyControllerOwner), versions are ignored: an owner
 * written as v1beta1 and watched as v1 is the same object. Owners share the owned object's namespace.
 */
export function mapToControllerOwner(owner: OwnerKind): EventMapper {
  return (obj) => {
    const ref = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
    if (!ref || ref.kind !== owner.kind || groupOf(ref.apiVersion) !== owner.group) return [];
    return [{ namespace: obj.metadata?.namespace ?? '', name: ref.name }];
  };
}

/** Callbacks for cache changes; an update carries the previous and the new state. */
export interface ResourceEventHandler<T extends KubeObject = KubeObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

/** What a controller watches: a cache it can list, and its change notifications. */
export interface EventSource<T extends KubeObject = KubeObject> {
  list(): T[];
  /** Registers `handler`; returns a function that unregisters it. */
  addHandler(handler: ResourceEventHandler<T>): () => void;
}
