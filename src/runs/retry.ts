// Running a run again (the CLI's `retry`, the REST API's retry): raise the spec field whose increase the
// controller treats as a new attempt (docs/design.md §5.1). Optimistic concurrency: the patch carries
// the resourceVersion it was computed from, and a 409 (someone else changed the run) reads and tries again.
import { attemptField, type RunKindName, runResource, specAttempt } from '../api/index.js';
import { ApiError, type ApiRequester, type KubeObject, resourcePath } from '../runtime/index.js';

export const NOT_RETRYABLE =
  'DocsRuns cannot be retried: a DocsRun has no attempt field in its spec (a TaskRun has spec.retryAttempt, ' +
  'a CodeRun spec.contextVersion) and its workingDirectory is immutable. To run it again, create a new ' +
  'DocsRun with the same spec (`orchestrator get odr <name> -o yaml`, drop metadata.name, status and ' +
  'resourceVersion, then `orchestrator task submit -f`).';

/**
 * The next attempt: one past both the spec's and the status's, since automatic retries may already
 * have run attempts beyond the spec's number and the controller only starts an attempt it has not run.
 */
export function raisedAttempt(kind: RunKindName, run: KubeObject): { from: number; to: number } {
  const from = specAttempt(kind, run.spec as object | undefined);
  const ran = (run.status as { attempt?: number } | undefined)?.attempt ?? 0;
  return { from, to: Math.max(from, ran) + 1 };
}

const MAX_CONFLICTS = 5;

export interface Retried {
  from: number;
  to: number;
  field: string;
  run: KubeObject;
}

/** Raises the attempt field of the run; throws NOT_RETRYABLE's reason for a kind without one. */
export async function retryRun(
  client: ApiRequester,
  kind: RunKindName,
  namespace: string,
  name: string,
  limit: { timeoutMs?: number } = {},
  /**
   * Throws when the caller may not retry this run (the REST API, whose patch is the manager's: it asks
   * about the caller itself); a direct caller's patch is judged by the webhook.
   */
  mayRetry: (run: KubeObject) => Promise<void> | undefined = () => undefined,
): Promise<Retried> {
  const field = attemptField(kind);
  if (!field) throw new Error(NOT_RETRYABLE);
  const path = resourcePath(runResource(kind), namespace, name);
  const opts = { timeoutMs: limit.timeoutMs };
  for (let i = 1; ; i++) {
    const run = await client.request<KubeObject>('GET', path, opts);
    await mayRetry(run);
    const { from, to } = raisedAttempt(kind, run);
    try {
      const patched = await client.request<KubeObject>('PATCH', path, {
        ...opts,
        body: { metadata: { resourceVersion: run.metadata?.resourceVersion }, spec: { [field]: to } },
        contentType: 'application/merge-patch+json',
      });
      return { from, to, field, run: patched };
    } catch (err) {
      if (!(err instanceof ApiError && err.status === 409) || i >= MAX_CONFLICTS) throw err;
    }
  }
}
