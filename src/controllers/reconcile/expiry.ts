// cleanup.ttlSecondsAfterFinished: a finished run is deleted that long after it finished, as a Job is
// after its own ttlSecondsAfterFinished. The deletion goes through the finalizer like any other (Jobs and
// ConfigMaps removed, the workspace volume kept). It is guarded by the run's uid, so a run re-created
// under the same name in the meantime is never the one deleted.
// The design it implements: docs/design.md §6.2.
import type { ControllerConfig, Run } from '../../api/index.js';

/** When the run finished: status.completionTime, else when its Succeeded condition last changed. */
export function finishedAt(run: Run): Date | undefined {
  const status = run.status;
  const when =
    status?.completionTime ?? status?.conditions?.find((c) => c.type === 'Succeeded')?.lastTransitionTime;
  return when === undefined ? undefined : new Date(when);
}

/** When a finished run is due for deletion; undefined while the config keeps finished runs. */
export function expiresAt(run: Run, config: ControllerConfig, now: Date): Date | undefined {
  const ttl = config.cleanup.ttlSecondsAfterFinished;
  if (ttl === undefined) return undefined;
  // A run that finished before status carried a time counts from now: it is kept for a full TTL.
  const at = finishedAt(run) ?? now;
  return new Date(at.getTime() + ttl * 1000);
}
