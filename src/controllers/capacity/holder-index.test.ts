import t from 'tap';
import { EventedStore, ownedJob, taskRun } from '../../../test/harness/fakes/run-reconciler-fixture.js';
import type { CodeRun } from '../../api/index.js';
import { loadDefaultConfig } from '../../config/load.js';
import { CapacityIndex, jobWorkspace, mapToWaitingRuns, waiter } from './holder-index.js';

const config = loadDefaultConfig();

const codeRun = (name: string, githubApp: string): CodeRun =>
  ({
    apiVersion: 'orchestrator.io/v1',
    kind: 'CodeRun',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: '2026-11-22T09:00:00Z' },
    spec: {
      taskId: 7,
      service: 'payments',
      githubApp,
      repositoryUrl: 'https://github.com/acme/payments.git',
    },
  }) as CodeRun;

t.test("a run's workspace: the stored one, else the one defaulting gives it", async (t) => {
  t.match(waiter('CodeRun', codeRun('rex', '5DLabs-Rex'), config), {
    key: 'CodeRun/ns/rex/uid-rex',
    run: 'CodeRun/rex',
    service: 'payments',
    workspace: 'workspace-payments',
  });
  t.match(
    waiter('CodeRun', codeRun('cleo', '5DLabs-Cleo'), config),
    { workspace: 'workspace-payments-cleo' },
    'a quality agent has its own',
  );
  const named = taskRun('pay-9', 9, { spec: { workspace: { pvcName: 'shared-by-hand' } } });
  t.match(waiter('TaskRun', named, config), { workspace: 'shared-by-hand' }, 'a PVC the run names');
});

t.test("a Job counts for the PVC its pods mount, under its owner's uid", async (t) => {
  const job = ownedJob('pay-8-job', { name: 'pay-8', uid: 'uid-8' }, 'Active', '', 'workspace-x');
  t.equal(jobWorkspace(job), 'workspace-x');
  t.equal(jobWorkspace({ metadata: {} }), undefined);
  const jobs = new EventedStore();
  const index = new CapacityIndex(jobs, [], () => config);
  jobs.set(job);
  jobs.set(ownedJob('done', { name: 'pay-9', uid: 'uid-9' }, 'Complete'));
  t.same(index.holders().claims(), [
    {
      key: 'TaskRun/ns/pay-8/uid-8',
      run: 'TaskRun/pay-8',
      namespace: 'ns',
      service: 'payments',
      workspace: 'workspace-x',
    },
  ]);
});

t.test('a freed workspace wakes its waiting runs first', async (t) => {
  const runs = new EventedStore<CodeRun>();
  const index = new CapacityIndex(new EventedStore(), [{ kind: 'CodeRun', runs }], () => config);
  const waiting = { conditions: [{ type: 'JobCreated', status: 'False', reason: 'WaitingForCapacity' }] };
  for (const [name, app, at] of [
    ['older-cleo', '5DLabs-Cleo', '2026-11-22T08:00:00Z'],
    ['newer-rex', '5DLabs-Rex', '2026-11-22T09:00:00Z'],
  ] as const) {
    const run = codeRun(name, app);
    runs.set({ ...run, metadata: { ...run.metadata, creationTimestamp: at }, status: waiting } as CodeRun);
  }
  const wake = mapToWaitingRuns('CodeRun', index);
  const freed = ownedJob('rex-job', { name: 'rex', uid: 'uid-rex' }, 'Complete');
  t.same(
    wake(freed).map((r) => r.name),
    ['newer-rex', 'older-cleo'],
  );
});
