// Which objects are a run's, against the real apiserver: Job and ConfigMap names end in a hash of the
// run's uid, so runs of one name but different kinds, runs with identical fields, and a run re-created
// under its old name each get objects of their own; deleting a run deletes only the objects its uid
// controls, never another run's or a stranger's that merely carries its label.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse } from 'yaml';
import { type CodeRun, LABELS, MANAGED_BY, type RunKindName, type TaskRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import {
  attemptNames,
  configMapPath,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

const roomy = () =>
  testConfig((c) => {
    c.concurrency = { perService: 10, global: 10 };
  });

const codeRun = (name: string): CodeRun => {
  const sample = parse(
    readFileSync(join(packageRoot(), 'config', 'samples', 'coderun.yaml'), 'utf8'),
  ) as CodeRun;
  // Its own workspace, so that the runs of one service here run at once (one run per workspace).
  return {
    ...sample,
    metadata: { name },
    spec: { ...sample.spec, workspace: { pvcName: `workspace-${name}` } },
  };
};

/** A run's Job and ConfigMap once it is Running, read from the API, with the uid of the run. */
async function runningObjects(
  t: Test,
  client: KubeClient,
  namespace: string,
  kind: RunKindName,
  name: string,
) {
  const path = runPath(kind, namespace, name);
  const run = await waitFor(`${kind} ${name} Running`, async (note) => {
    const r = await client.request<TaskRun>('GET', path);
    note(r.status);
    return r.status?.phase === 'Running' && r;
  });
  const names = await attemptNames(client, namespace, kind, name);
  t.equal(run.status?.jobName, names.job, `${kind} ${name}: status names the Job computed from its uid`);
  const job = await client.request<KubeObject>('GET', jobPath(namespace, names.job));
  const configMap = await client.request<KubeObject>('GET', configMapPath(namespace, names.configMap));
  return { uid: run.metadata?.uid, job, configMap };
}

const exists = async (client: KubeClient, path: string) =>
  (await httpStatusOf(client.request('GET', path))) === 200;

/** Deletes the run and waits until it is gone (its finalizer done). */
async function deleteRun(client: KubeClient, namespace: string, kind: RunKindName, name: string) {
  const path = runPath(kind, namespace, name);
  await client.request('DELETE', path);
  await waitFor(`${kind} ${name} gone`, async () => !(await exists(client, path)));
}

const controller = (obj: KubeObject) => obj.metadata?.ownerReferences?.find((r) => r.controller)?.uid;

t.test(
  'runs of one name in two kinds, and two CodeRuns with identical fields, each get their own objects; deleting one touches nothing else',
  async (t) => {
    const { namespace, client } = await suite.start(t, roomy());
    // A stranger's ConfigMap carrying the run label (and the managed-by label the caches select by).
    const stranger = {
      metadata: {
        name: 'not-the-runs',
        namespace,
        labels: { [LABELS.run]: 'twin', [LABELS.managedBy]: MANAGED_BY },
      },
      data: { mine: 'yes' },
    };
    await client.request('POST', configMapPath(namespace), { body: stranger });
    await client.request('POST', runPath('TaskRun', namespace), {
      body: sampleTaskRun('twin', 7, { workspace: { pvcName: 'workspace-twin-taskrun' } }),
    });
    await client.request('POST', runPath('CodeRun', namespace), { body: codeRun('twin') });
    // Same service, githubApp, task and context version as the CodeRun twin: it used to wait forever.
    await client.request('POST', runPath('CodeRun', namespace), { body: codeRun('twin-2') });

    const task = await runningObjects(t, client, namespace, 'TaskRun', 'twin');
    const code = await runningObjects(t, client, namespace, 'CodeRun', 'twin');
    const code2 = await runningObjects(t, client, namespace, 'CodeRun', 'twin-2');
    const all = [task, code, code2];
    t.equal(new Set(all.map((o) => o.job.metadata?.name)).size, 3, 'three Jobs of three names');
    t.equal(new Set(all.map((o) => o.configMap.metadata?.name)).size, 3, 'three ConfigMaps of three names');
    for (const o of all) {
      t.equal(controller(o.job), o.uid, `Job ${o.job.metadata?.name} is controlled by its run`);
      t.equal(
        controller(o.configMap),
        o.uid,
        `ConfigMap ${o.configMap.metadata?.name} is controlled by its run`,
      );
    }
    t.match(code.job.metadata?.name, /^payments-rex-task-7-v1-[0-9a-f]{8}$/, 'readable, then the uid hash');
    t.match(code2.job.metadata?.name, /^payments-rex-task-7-v1-[0-9a-f]{8}$/);
    t.match(task.job.metadata?.name, /^payments-task-7-run-1-[0-9a-f]{8}$/);

    await deleteRun(client, namespace, 'TaskRun', 'twin');
    t.notOk(await exists(client, jobPath(namespace, task.job.metadata?.name)), 'its Job went with it');
    t.notOk(
      await exists(client, configMapPath(namespace, task.configMap.metadata?.name)),
      'its ConfigMap went with it',
    );
    for (const o of [code, code2]) {
      const job = await client.request<KubeObject>('GET', jobPath(namespace, o.job.metadata?.name));
      const cm = await client.request<KubeObject>(
        'GET',
        configMapPath(namespace, o.configMap.metadata?.name),
      );
      t.equal(job.metadata?.uid, o.job.metadata?.uid, `the CodeRun's Job ${job.metadata?.name} is kept`);
      t.notOk(job.metadata?.deletionTimestamp, 'and not being deleted');
      t.equal(
        cm.metadata?.uid,
        o.configMap.metadata?.uid,
        `the CodeRun's ConfigMap ${cm.metadata?.name} is kept`,
      );
    }
    t.equal(
      (await client.request<CodeRun>('GET', runPath('CodeRun', namespace, 'twin'))).status?.phase,
      'Running',
      'the CodeRun of the same name runs on',
    );
    const kept = await client.request<KubeObject>('GET', configMapPath(namespace, 'not-the-runs'));
    t.same(kept.data, { mine: 'yes' }, 'the stranger carrying the run label is untouched');

    // The CodeRun twin deleted too: still the stranger is left.
    await deleteRun(client, namespace, 'CodeRun', 'twin');
    t.notOk(await exists(client, jobPath(namespace, code.job.metadata?.name)), "the CodeRun's Job went");
    t.ok(await exists(client, jobPath(namespace, code2.job.metadata?.name)), "twin-2's Job stays");
    t.ok(await exists(client, configMapPath(namespace, 'not-the-runs')), 'the stranger stays');
  },
);

t.test(
  'a run re-created under its old name while its old Job is still being deleted gets new objects and leaves the old ones alone',
  async (t) => {
    const { namespace, client } = await suite.start(t, roomy());
    const runs = runPath('TaskRun', namespace);
    await client.request('POST', runs, { body: sampleTaskRun('again', 7) });
    const old = await runningObjects(t, client, namespace, 'TaskRun', 'again');
    const oldJob = old.job.metadata?.name;
    // A finalizer of the test's keeps the old Job (being deleted) around after its run is gone.
    const HOLD = 'orchestrator.io/test-hold';
    await client.request('PATCH', jobPath(namespace, oldJob), {
      body: { metadata: { finalizers: [HOLD] } },
      contentType: 'application/merge-patch+json',
    });
    await deleteRun(client, namespace, 'TaskRun', 'again');
    const held = await client.request<KubeObject>('GET', jobPath(namespace, oldJob));
    t.ok(held.metadata?.deletionTimestamp, 'the old Job is being deleted, held by the test');

    // Another workspace: the old Job, still active, holds its own until it is gone.
    await client.request('POST', runs, {
      body: sampleTaskRun('again', 7, { workspace: { pvcName: 'workspace-again-2' } }),
    });
    const fresh = await runningObjects(t, client, namespace, 'TaskRun', 'again');
    t.not(fresh.uid, old.uid);
    t.not(fresh.job.metadata?.name, oldJob, 'a Job of a new name');
    t.not(fresh.configMap.metadata?.name, old.configMap.metadata?.name, 'a ConfigMap of a new name');
    t.equal(controller(fresh.job), fresh.uid);
    const still = await client.request<KubeObject>('GET', jobPath(namespace, oldJob));
    t.equal(still.metadata?.uid, old.job.metadata?.uid, 'the old Job is the same object');
    t.equal(controller(still), old.uid, 'never adopted by the new run');
    const conditions = (await client.request<TaskRun>('GET', runPath('TaskRun', namespace, 'again'))).status
      ?.conditions;
    t.notOk(
      conditions?.some((c) => c.reason === 'NameConflict'),
      'no name conflict with the old objects',
    );

    // Deleting the new run removes its own objects; the old Job is left to its own deletion.
    await deleteRun(client, namespace, 'TaskRun', 'again');
    t.notOk(await exists(client, jobPath(namespace, fresh.job.metadata?.name)), 'the new Job went');
    t.equal(
      (await client.request<KubeObject>('GET', jobPath(namespace, oldJob))).metadata?.uid,
      old.job.metadata?.uid,
      'the old Job is still only held by the test',
    );
    await client.request('PATCH', jobPath(namespace, oldJob), {
      body: [
        { op: 'test', path: '/metadata/finalizers', value: [HOLD] },
        { op: 'remove', path: '/metadata/finalizers' },
      ],
      contentType: 'application/json-patch+json',
    });
    await waitFor('the old Job gone', async () => !(await exists(client, jobPath(namespace, oldJob))));
  },
);
