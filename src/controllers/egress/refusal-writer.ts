// Writes a run's refusals into its status (status.egressRefusals, and in a failed run's message), with
// a Warning Event for each host refused for the first time. A merge patch guarded by the
// resourceVersion read (a stale read is read again), on the run whose uid the refusal's Job named:
// a run deleted and created again under its name is another run, and gets nothing.
import type { Logger } from 'pino';
import { type RunStatus, runResource } from '../../api/index.js';
import { addRefusals, newlyRefused, withRefusals } from '../../egress/index.js';
import {
  type ApiRequester,
  isConflict,
  isNotFound,
  type KubeObject,
  resourcePath,
} from '../../runtime/index.js';
import { recordEvent } from '../reconcile/events.js';
import type { Pending } from './refusal-book.js';

/** Reads of a run whose status changed in between, before the refusals wait for the next round. */
const ATTEMPTS = 3;

export interface WriteContext {
  now: Date;
  logger: Logger;
  signal: AbortSignal;
}

/** Writes `pending` into its run: 'written', 'gone' (nothing to write to) or 'stale' (try again later). */
export async function writeRefusals(
  client: ApiRequester,
  pending: Pending,
  ctx: WriteContext,
): Promise<'written' | 'gone' | 'stale'> {
  const { kind, namespace, name, uid } = pending.run;
  const path = resourcePath(runResource(kind), namespace, name);
  for (let i = 0; i < ATTEMPTS; i++) {
    let run: KubeObject & { status?: RunStatus };
    try {
      run = await client.request('GET', path, { signal: ctx.signal });
    } catch (err) {
      if (isNotFound(err)) return 'gone';
      throw err;
    }
    if (run.metadata?.uid !== uid) return 'gone';
    const before = run.status?.egressRefusals;
    const after = addRefusals(before, [...pending.counts.values()], pending.unlisted);
    const status: RunStatus = { egressRefusals: after };
    // A run already failed says it in its message; one still running says it when it fails (status.ts).
    if (run.status?.phase === 'Failed') status.message = withRefusals(run.status.message, after);
    try {
      await client.request('PATCH', `${path}/status`, {
        body: { metadata: { resourceVersion: run.metadata?.resourceVersion }, status },
        contentType: 'application/merge-patch+json',
        signal: ctx.signal,
        discardAnswer: true,
      });
    } catch (err) {
      if (isConflict(err)) continue;
      if (isNotFound(err)) return 'gone';
      throw err;
    }
    for (const h of newlyRefused(before, after))
      await recordEvent(
        client,
        run,
        {
          type: 'Warning',
          reason: 'EgressRefused',
          message: `the egress proxy refused a request of the agent to ${h.host}:${h.port}: not on its profile's allowlist (docs/agent-pods.md "Egress")`,
        },
        ctx,
      );
    return 'written';
  }
  return 'stale';
}
