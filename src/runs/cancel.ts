// Cancelling a run (the CLI's `cancel`): set spec.cancelled, which the controller honours (the running
// attempt's Job stopped, the run Cancelled, docs/design.md §4). A run that has already finished is
// refused with its phase, rather than marked: its record says how it ended, and a cancel would change
// nothing but forbid its retry. Optimistic concurrency as in retry.ts: a 409 reads and tries again.
import { cancelRequested, finalPhase, type RunKindName, runFinished, runResource } from '../api/index.js';
import { ApiError, type ApiRequester, type KubeObject, resourcePath } from '../runtime/index.js';

const MAX_CONFLICTS = 5;

export type Cancelled =
  /** spec.cancelled set now. */
  | { outcome: 'cancelled'; run: KubeObject }
  /** It was set before: nothing written. */
  | { outcome: 'already'; run: KubeObject }
  /** It has finished (notCancellable says why): nothing written. */
  | { outcome: 'finished'; run: KubeObject; reason: string };

/** Why a run cannot be cancelled, or undefined when it can. */
export function notCancellable(kind: RunKindName, run: KubeObject): string | undefined {
  const phase = (run.status as { phase?: string } | undefined)?.phase;
  if (cancelRequested(run) || !runFinished(kind, run) || !finalPhase(phase)) return undefined;
  return `it has already finished (phase ${phase}): there is nothing to cancel`;
}

/** Sets spec.cancelled on the run, unless it has finished. */
export async function cancelRun(
  client: ApiRequester,
  kind: RunKindName,
  namespace: string,
  name: string,
  opts: { timeoutMs?: number } = {},
  /**
   * Throws when the caller may not cancel this run (the REST API, whose patch is the manager's: it asks
   * about the caller itself); a direct caller's patch is judged by the webhook.
   */
  mayCancel: (run: KubeObject) => Promise<void> | undefined = () => undefined,
): Promise<Cancelled> {
  const path = resourcePath(runResource(kind), namespace, name);
  for (let i = 1; ; i++) {
    const run = await client.request<KubeObject>('GET', path, opts);
    if (cancelRequested(run)) return { outcome: 'already', run };
    const reason = notCancellable(kind, run);
    if (reason) return { outcome: 'finished', run, reason };
    await mayCancel(run);
    try {
      const patched = await client.request<KubeObject>('PATCH', path, {
        ...opts,
        body: { metadata: { resourceVersion: run.metadata?.resourceVersion }, spec: { cancelled: true } },
        contentType: 'application/merge-patch+json',
      });
      return { outcome: 'cancelled', run: patched };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || i >= MAX_CONFLICTS) throw err;
    }
  }
}
