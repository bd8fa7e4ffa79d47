import t from 'tap';
import { defaulted, type TaskRun } from '../api/index.js';
import { loadDefaultConfig } from '../config/load.js';
import { attemptJob } from './agent/index.js';
import { jobWorkspace } from './capacity/index.js';
import { jobForCache } from './job-cache.js';
import { taskRunStrategy } from './kind/strategy.js';

const config = loadDefaultConfig();
const run = defaulted(
  'TaskRun',
  {
    metadata: { name: 'pay-7', namespace: 'ns', uid: 'u-1' },
    spec: { taskId: 7, serviceName: 'payments', markdownFiles: [{ filename: 'task.md', content: 'x' }] },
  } as TaskRun,
  config,
);

/** Our Job as the apiserver sends it: with what the server adds, and a status. */
function served() {
  const job = structuredClone(attemptJob({ strategy: taskRunStrategy, run, config, attempt: 1 }));
  job.metadata = {
    ...job.metadata,
    uid: 'job-uid',
    resourceVersion: '42',
    creationTimestamp: '2026-11-25T10:00:00Z',
    annotations: { 'orchestrator.io/failure': '{"reason":"X"}' },
    managedFields: [{ manager: 'orchestrator', operation: 'Update' }],
  };
  job.status = {
    active: 1,
    startTime: '2026-11-25T10:00:01Z',
    conditions: [{ type: 'Complete', status: 'False' }],
  };
  return job;
}

t.test(
  'a cached Job keeps its metadata, its status and its workspace volume, and nothing else',
  async (t) => {
    const job = served();
    const cached = jobForCache(served());
    t.same(cached.status, job.status, 'the status whole');
    const { managedFields: _dropped, ...metadata } = job.metadata ?? {};
    t.same(
      cached.metadata,
      metadata,
      'the metadata (owner, labels, annotations, uid, version), managedFields dropped',
    );
    t.equal(jobWorkspace(cached), jobWorkspace(job), 'the workspace its pods mount, as capacity reads it');
    t.equal(jobWorkspace(cached), run.spec.workspace?.pvcName, 'which is the run’s');
    t.same(Object.keys(cached).sort(), ['apiVersion', 'kind', 'metadata', 'spec', 'status']);
    const size = (o: unknown) => JSON.stringify(o).length;
    t.ok(size(cached) * 3 < size(job), `a fraction of the Job: ${size(cached)} of ${size(job)} bytes`);
  },
);

t.test('a Job without a workspace volume keeps an empty spec', async (t) => {
  const job = served();
  (job.spec as { template: { spec: { volumes: unknown[] } } }).template.spec.volumes = [];
  t.same(jobForCache(job).spec, {});
  t.equal(jobWorkspace(jobForCache(job)), undefined);
});
