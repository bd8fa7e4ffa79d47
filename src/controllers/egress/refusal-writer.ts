// Writes a run's refusals into its status (status.egressRefusals, and in a failed run's message), with
// a Warning Event for each host refused for the first time. A merge patch guarded by the
// resourceVersion read (a stale read is read again), on the run whose uid the refusal's Job named:
// a run deleted and created again under its name is another run, and gets nothing.
import type { Logger } from 'pino';
import type { RunStatus } from '../../api/index.js';
import { addRefusals, newlyRefused, withRefusals } from '../../egress/index.js';
import type { ApiRequester } from '../../runtime/index.js';
import { recordEvent } from '../reconcile/events.js';
import { patchRunStatus } from '../run-status-patch.js';
import type { Pending } from './refusal-book.js';

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
  let after: RunStatus['egressRefusals'];
  const patched = await patchRunStatus(
    client,
    pending.run,
    (run) => {
      after = addRefusals(run.status?.egressRefusals, [...pending.counts.values()], pending.unlisted);
      const status: RunStatus = { egressRefusals: after };
      // A run already failed says it in its message; one still running says it when it fails (status.ts).
      if (run.status?.phase === 'Failed') status.message = withRefusals(run.status.message, after);
      return status;
    },
    ctx.signal,
  );
  if (patched.outcome !== 'written') return patched.outcome === 'unchanged' ? 'written' : patched.outcome;
  const { run, before } = patched;
  if (!after) return 'written';
  for (const h of newlyRefused(before?.egressRefusals, after))
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
