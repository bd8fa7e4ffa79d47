// The shape of any Kubernetes object as the runtime sees it: raw JSON from the apiserver, typed only as
// far as the runtime reads it.
import { requestKey } from './reconciler.js';

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  deletionTimestamp?: string;
  finalizers?: string[];
  [field: string]: unknown;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [field: string]: unknown;
}

/** @internal kubectl's annotation, which the informer's integration test applies. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Drops what a controller never reads but which can be most of an object's size: managedFields and
 * kubectl's last-applied copy of the whole object. Rebuilds the metadata rather than deleting keys:
 * `delete` turns a V8 object into a slower, larger dictionary, costly across 10,000 cached objects.
 * Returns `obj` (fresh from JSON.parse) with its new metadata.
 */
export function stripForCache<T extends KubeObject>(obj: T): T {
  const meta = obj.metadata;
  if (!meta) return obj;
  const { managedFields: _managedFields, annotations, ...rest } = meta;
  const kept: ObjectMeta = rest;
  if (annotations) {
    const { [LAST_APPLIED_ANNOTATION]: _lastApplied, ...others } = annotations;
    if (Object.keys(others).length > 0) kept.annotations = others;
  }
  obj.metadata = kept;
  return obj;
}

/** The group of an apiVersion: '' for the core group (`v1`). */
export function groupOf(apiVersion: string | undefined): string {
  if (!apiVersion) return '';
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** The cache key of an object: `namespace/name`, or `name` when cluster-scoped. */
export function objectKey(obj: KubeObject): string {
  return requestKey({ namespace: obj.metadata?.namespace ?? '', name: obj.metadata?.name ?? '' });
}

/**
 * Whether `obj`'s controller owner reference is the object with `uid`: the uid, not a name or a label,
 * decides what belongs to a run (a run deleted and made again under its name is another owner).
 */
export function ownedBy(obj: KubeObject, uid: string | undefined): boolean {
  return !!uid && (obj.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid);
}
