// Creating a run's objects idempotently with create-then-read (not server-side apply: the ConfigMap is
// immutable and a Job's template cannot change, so there is nothing to merge — only "does it exist, and
// is it ours"). A 409 means the name is taken: if the operator made it for this run (a previous
// reconcile created it, perhaps before a crash: provenance/) it is adopted; otherwise it is a conflict.
// Deleting is as careful: only what the run's uid controls, each DELETE guarded by the object's uid.
// The design it implements: docs/design.md §1.2, §3, §6.1.
import {
  type ApiRequester,
  isConflict,
  isNotFound,
  type KubeObject,
  ownedBy,
  type ResourceType,
  resourcePath,
} from '../../runtime/index.js';
import { notMadeFor, type RunRecord, type Seal } from '../provenance/index.js';

export type Owned =
  | { object: KubeObject; created?: boolean; conflict?: undefined }
  | { object?: undefined; created?: undefined; conflict: string; why: string };

/** Why the object under one of the run's names is not this run's (`why`: notMadeFor's reason). */
export function conflictMessage(obj: KubeObject, kind: string, ownerKind: string, why: string): string {
  const name = obj.metadata?.name;
  return `${kind} ${name} already exists and is not this ${ownerKind}'s: ${why}; delete or rename it and the run will proceed`;
}

/** The run an attempt's objects are made for, and the seal that tells the operator's apart. */
export interface AttemptOwner extends RunRecord {
  kind: string;
  seal: Seal;
}

/**
 * Creates `body`, or adopts the object of its name when a 409 shows one the operator made for this
 * run (an earlier reconcile, perhaps before a crash); else the name is someone else's (`conflict`).
 * The server's answer is read only when `answer` asks for it (the object made, with its uid): a Job's
 * is most of its size, and the reconciler needs only whether it was created.
 */
export async function createOrAdopt(
  client: ApiRequester,
  resource: ResourceType,
  body: KubeObject,
  owner: AttemptOwner,
  signal: AbortSignal,
  answer = false,
): Promise<Owned> {
  const namespace = body.metadata?.namespace;
  try {
    const path = resourcePath(resource, namespace);
    if (answer)
      return { object: await client.request<KubeObject>('POST', path, { body, signal }), created: true };
    await client.request('POST', path, { body, signal, discardAnswer: true });
    return { object: body, created: true };
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
  const path = resourcePath(resource, namespace, body.metadata?.name);
  const existing = await client.request<KubeObject>('GET', path, { signal });
  const why = notMadeFor(existing, resource.kind, owner, owner.seal);
  return why
    ? { conflict: conflictMessage(existing, resource.kind, owner.kind, why), why }
    : { object: existing };
}

/** Creates the object unless its name exists (whoever owns it): for shared objects like a workspace. */
export async function createIfMissing(
  client: ApiRequester,
  resource: ResourceType,
  body: KubeObject,
  signal: AbortSignal,
): Promise<void> {
  try {
    await client.request('POST', resourcePath(resource, body.metadata?.namespace), {
      body,
      signal,
      discardAnswer: true,
    });
  } catch (err) {
    if (!isConflict(err)) throw err;
  }
}

/**
 * Deletes exactly `obj`: the DELETE carries its uid as a precondition, so an object re-created under
 * the name meanwhile is never the one deleted (Background propagation by default: the GC takes the
 * dependents after; Foreground keeps the object until they are gone). False when it is already gone
 * (404) or replaced (409).
 */
export async function deleteExactly(
  client: ApiRequester,
  resource: ResourceType,
  obj: KubeObject,
  signal: AbortSignal,
  propagationPolicy: 'Background' | 'Foreground' = 'Background',
): Promise<boolean> {
  const path = resourcePath(resource, obj.metadata?.namespace, obj.metadata?.name);
  try {
    await client.request('DELETE', path, {
      body: {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        propagationPolicy,
        preconditions: { uid: obj.metadata?.uid },
      },
      signal,
      discardAnswer: true,
    });
    return true;
  } catch (err) {
    if (isNotFound(err) || isConflict(err)) return false;
    throw err;
  }
}

/**
 * Deletes the objects of `resource` that the owner with `ownerUid` controls: the label selector only
 * narrows the list (anyone may set a label); the controller reference's uid decides.
 */
export async function deleteOwned(
  client: ApiRequester,
  resource: ResourceType,
  namespace: string,
  labelSelector: string,
  ownerUid: string | undefined,
  signal: AbortSignal,
): Promise<void> {
  const list = await client.request<{ items?: KubeObject[] }>('GET', resourcePath(resource, namespace), {
    query: { labelSelector },
    signal,
  });
  for (const obj of list.items ?? [])
    if (ownedBy(obj, ownerUid)) await deleteExactly(client, resource, obj, signal);
}
