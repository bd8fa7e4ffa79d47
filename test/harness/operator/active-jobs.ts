// A watch on a namespace's Jobs that remembers the most ever active at the same time, in total and in
// one workspace volume (the PVC the Job's pods mount): what the concurrency tests assert never exceeds
// the limit, however briefly.
import pino from 'pino';
import { jobWorkspace } from '../../../src/controllers/capacity/holder-index.js';
import { Informer, JOBS, jobState, type KubeClient } from '../../../src/runtime/index.js';

export async function activeJobs(
  t: { teardown(fn: () => unknown): void },
  client: KubeClient,
  namespace: string,
) {
  const informer = new Informer({ client, logger: pino({ level: 'silent' }), resource: JOBS, namespace });
  let most = 0;
  let mostInOneWorkspace = 0;
  const count = () => {
    const active = informer.list().filter((job) => jobState(job) === 'Active');
    most = Math.max(most, active.length);
    const perWorkspace = new Map<string, number>();
    for (const job of active) {
      const workspace = jobWorkspace(job) ?? '';
      perWorkspace.set(workspace, (perWorkspace.get(workspace) ?? 0) + 1);
    }
    mostInOneWorkspace = Math.max(mostInOneWorkspace, ...perWorkspace.values());
  };
  informer.addHandler({ onAdd: count, onUpdate: count, onDelete: count });
  informer.start();
  await informer.synced;
  t.teardown(() => informer.stop());
  return {
    most: () => most,
    mostInOneWorkspace: () => mostInOneWorkspace,
    names: () =>
      informer
        .list()
        .map((job) => job.metadata?.name ?? '')
        .sort(),
  };
}
