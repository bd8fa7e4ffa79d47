// A field written into a run's status beside the reconciler's own writes (the egress refusals, the kept
// logs): a merge patch guarded by the resourceVersion read, so a write between the read and the patch
// (the reconciler's) makes it read again instead of overwriting; on the run whose uid the caller named,
// so a run deleted and created again under its name is another run and gets nothing.
import { type RunKindName, type RunStatus, runResource } from '../api/index.js';
import {
  type ApiRequester,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../runtime/index.js';

/** Reads of a run whose status changed in between, before the write waits for a later round. */
const ATTEMPTS = 3;

export interface RunRef {
  kind: RunKindName;
  namespace: string;
  name: string;
  uid: string;
}

export type StatusPatched =
  | { outcome: 'written'; run: KubeObject & { status?: RunStatus }; before: RunStatus | undefined }
  | { outcome: 'gone' | 'stale' | 'unchanged' };

/**
 * Patches what `change` makes of the run's status as read (undefined: nothing to write): 'gone' when
 * there is no such run, 'stale' when it kept changing under the patch.
 */
export async function patchRunStatus(
  client: ApiRequester,
  ref: RunRef,
  change: (run: KubeObject & { status?: RunStatus }) => RunStatus | undefined,
  signal: AbortSignal,
): Promise<StatusPatched> {
  const path = resourcePath(runResource(ref.kind), ref.namespace, ref.name);
  for (let i = 0; i < ATTEMPTS; i++) {
    let run: KubeObject & { status?: RunStatus };
    try {
      run = await client.request('GET', path, { signal });
    } catch (err) {
      if (isNotFound(err)) return { outcome: 'gone' };
      throw err;
    }
    if (run.metadata?.uid !== ref.uid) return { outcome: 'gone' };
    const status = change(run);
    if (!status) return { outcome: 'unchanged' };
    try {
      await client.request('PATCH', `${path}/status`, {
        body: { metadata: { resourceVersion: run.metadata?.resourceVersion }, status },
        contentType: 'application/merge-patch+json',
        signal,
        discardAnswer: true,
      });
    } catch (err) {
      if (isConflict(err)) continue;
      if (isNotFound(err)) return { outcome: 'gone' };
      throw err;
    }
    return { outcome: 'written', run, before: run.status };
  }
  return { outcome: 'stale' };
}
