// Creating a run's objects idempotently with create-then-read (not server-side apply: the ConfigMap is
// immutable and a Job's template cannot change, so there is nothing to merge — only "does it exist, and
// is it ours"). A 409 means the name is taken: if the object's controller reference is this run (a
// previous reconcile created it, perhaps before a crash) it is adopted; otherwise it is a conflict.
// The design it implements: docs/design.md §1.2, §3.
import {
  type ApiRequester,
  isApiStatus,
  type KubeObject,
  type ResourceType,
  resourcePath,
} from '../runtime/index.js';

export const JOBS: ResourceType = { group: 'batch', version: 'v1', plural: 'jobs', kind: 'Job' };
export const CONFIGMAPS: ResourceType = { group: '', version: 'v1', plural: 'configmaps', kind: 'ConfigMap' };
export const PODS: ResourceType = { group: '', version: 'v1', plural: 'pods', kind: 'Pod' };
export const PVCS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
};

export type Owned = { object: KubeObject; conflict?: undefined } | { object?: undefined; conflict: string };

/** Whether `obj`'s controller owner reference is the object with `uid`. */
export function ownedBy(obj: KubeObject, uid: string | undefined): boolean {
  return !!uid && (obj.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === uid);
}

export function conflictMessage(obj: KubeObject, kind: string, ownerKind: string): string {
  const name = obj.metadata?.name;
  const owner = obj.metadata?.ownerReferences?.find((r) => r.controller === true);
  const by = owner ? `is controlled by ${owner.kind} ${owner.name}` : 'has no controller';
  return `${kind} ${name} already exists and ${by}, not this ${ownerKind}; delete or rename it and the run will proceed`;
}

/** The existing object (from the cache, or read after a 409) or the one just created. */
export async function createOrAdopt(
  client: ApiRequester,
  resource: ResourceType,
  body: KubeObject,
  cached: KubeObject | undefined,
  owner: { uid: string | undefined; kind: string },
  signal: AbortSignal,
): Promise<Owned> {
  const namespace = body.metadata?.namespace;
  const name = body.metadata?.name;
  let existing = cached;
  if (!existing) {
    try {
      return {
        object: await client.request<KubeObject>('POST', resourcePath(resource, namespace), { body, signal }),
      };
    } catch (err) {
      if (!isApiStatus(err, 409)) throw err;
      existing = await client.request<KubeObject>('GET', resourcePath(resource, namespace, name), { signal });
    }
  }
  return ownedBy(existing, owner.uid)
    ? { object: existing }
    : { conflict: conflictMessage(existing, resource.kind, owner.kind) };
}

/** Creates the object unless its name exists (whoever owns it): for shared objects like a workspace. */
export async function createIfMissing(
  client: ApiRequester,
  resource: ResourceType,
  body: KubeObject,
  signal: AbortSignal,
): Promise<void> {
  try {
    await client.request('POST', resourcePath(resource, body.metadata?.namespace), { body, signal });
  } catch (err) {
    if (!isApiStatus(err, 409)) throw err;
  }
}

/** Deletes every object of `resource` with the label selector, letting the GC handle dependents. */
export async function deleteCollection(
  client: ApiRequester,
  resource: ResourceType,
  namespace: string,
  labelSelector: string,
  signal: AbortSignal,
): Promise<void> {
  await client.request('DELETE', resourcePath(resource, namespace), {
    signal,
    query: { labelSelector, propagationPolicy: 'Background' },
  });
}

export async function deleteIgnoringMissing(
  client: ApiRequester,
  resource: ResourceType,
  namespace: string,
  name: string,
  signal: AbortSignal,
): Promise<void> {
  try {
    await client.request('DELETE', resourcePath(resource, namespace, name), {
      signal,
      query: { propagationPolicy: 'Background' },
    });
  } catch (err) {
    if (!isApiStatus(err, 404)) throw err;
  }
}
