import t from 'tap';
import { type EventMapper, type KubeObject, Store } from '../../runtime/index.js';
import { mapPodToRun, PodsByJob } from './job-pods.js';

const NS = 'ns';
const jobRef = (name: string, uid: string) => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  name,
  uid,
  controller: true,
});

function pod(
  name: string,
  created: string,
  owners: unknown[] = [jobRef('job-a', 'uid-a')],
  phase = 'Pending',
) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: NS, creationTimestamp: created, ownerReferences: owners },
    status: { phase },
  } as KubeObject;
}

const job = (name: string, uid: string): KubeObject => ({
  apiVersion: 'batch/v1',
  kind: 'Job',
  metadata: {
    name,
    namespace: NS,
    uid,
    ownerReferences: [
      {
        apiVersion: 'orchestrator.io/v1',
        kind: 'TaskRun',
        name: `run-of-${name}`,
        uid: 'r',
        controller: true,
      },
    ],
  },
});

t.test('PodsByJob: the newest pod of each Job, kept by add, update and delete', async (t) => {
  const pods = new PodsByJob();
  const first = pod('job-a-1', '2026-03-01T10:00:00Z');
  const second = pod('job-a-2', '2026-03-01T10:05:00Z');
  const other = pod('job-b-1', '2026-03-01T11:00:00Z', [jobRef('job-b', 'uid-b')]);
  t.equal(pods.newest('uid-a'), undefined, 'nothing before any event');
  pods.onAdd(second);
  pods.onAdd(first);
  pods.onAdd(other);
  t.equal(pods.newest('uid-a'), second, 'by creationTimestamp, not by arrival');
  t.equal(pods.newest('uid-b'), other, "another Job's pods are apart");

  const runningSecond = pod('job-a-2', '2026-03-01T10:05:00Z', undefined, 'Running');
  pods.onUpdate(second, runningSecond);
  t.equal(pods.newest('uid-a'), runningSecond, 'an update replaces the cached pod');

  pods.onDelete(runningSecond);
  t.equal(pods.newest('uid-a'), first, 'the older pod once the newer is gone');
  pods.onDelete(first);
  t.equal(pods.newest('uid-a'), undefined, 'the last pod gone empties the entry');
  t.equal(pods.newest('uid-b'), other, 'the other Job untouched');

  pods.onAdd(pod('job-a-3', '2026-03-01T12:00:00Z'));
  t.equal(pods.newest('uid-a')?.metadata?.name, 'job-a-3', 'a new pod after emptying is found');
});

t.test('PodsByJob ignores pods without a controller owner', async (t) => {
  const pods = new PodsByJob();
  const loose = pod('loose', '2026-03-01T10:00:00Z', []);
  const notController = pod('ref', '2026-03-01T10:00:00Z', [
    { ...jobRef('job-a', 'uid-a'), controller: false },
  ]);
  const noOwners = pod('bare', '2026-03-01T10:00:00Z');
  delete noOwners.metadata?.ownerReferences;
  for (const p of [loose, notController, noOwners]) pods.onAdd(p);
  t.equal(pods.newest('uid-a'), undefined);
  t.equal(pods.newest(undefined), undefined, 'no uid is no Job');
  t.equal(pods.newest(''), undefined);
  for (const p of [loose, notController, noOwners]) pods.onDelete(p);
  pods.onDelete(pod('never-added', '2026-03-01T10:00:00Z'));
  t.equal(pods.newest('uid-a'), undefined, 'deleting unknown pods is harmless');
});

t.test('PodsByJob forgets a pod whose controller owner is removed (orphaned)', async (t) => {
  const pods = new PodsByJob();
  const owned = pod('job-a-1', '2026-03-01T10:00:00Z');
  const orphaned = pod('job-a-1', '2026-03-01T10:00:00Z', []);
  pods.onAdd(owned);
  pods.onUpdate(owned, orphaned);
  t.equal(pods.newest('uid-a'), undefined, 'no longer the Job’s pod');
  pods.onDelete(orphaned);
  t.equal(pods.newest('uid-a'), undefined);
});

t.test('mapPodToRun: a pod wakes the run of the Job that made it', async (t) => {
  const jobs = new Store();
  jobs.set(job('job-a', 'uid-a'));
  const seen: KubeObject[] = [];
  const toRun: EventMapper = (obj) => {
    seen.push(obj);
    return [{ namespace: obj.metadata?.namespace ?? '', name: `run-of-${obj.metadata?.name}` }];
  };
  const map = mapPodToRun(jobs, toRun);

  t.strictSame(map(pod('job-a-1', '2026-03-01T10:00:00Z')), [{ namespace: NS, name: 'run-of-job-a' }]);
  t.equal(seen[0], jobs.get(NS, 'job-a'), 'the mapper is given the cached Job');

  t.strictSame(
    map(pod('p', '2026-03-01T10:00:00Z', [jobRef('job-a', 'uid-old')])),
    [],
    'a replaced Job’s pod',
  );
  t.strictSame(
    map(pod('p', '2026-03-01T10:00:00Z', [jobRef('job-x', 'uid-x')])),
    [],
    'a Job not in the cache',
  );
  const byReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    name: 'job-a',
    uid: 'uid-a',
    controller: true,
  };
  t.strictSame(map(pod('p', '2026-03-01T10:00:00Z', [byReplicaSet])), [], 'a controller that is not a Job');
  const notController = { ...jobRef('job-a', 'uid-a'), controller: false };
  t.strictSame(
    map(pod('p', '2026-03-01T10:00:00Z', [notController])),
    [],
    'a Job that is not the controller',
  );
  t.strictSame(map(pod('p', '2026-03-01T10:00:00Z', [])), [], 'no owner');
  const elsewhere = pod('p', '2026-03-01T10:00:00Z');
  if (elsewhere.metadata) elsewhere.metadata.namespace = 'other';
  t.strictSame(map(elsewhere), [], 'a Job of that name in another namespace');
  t.equal(seen.length, 1, 'the mapper is called only for the matching Job');
});
