// The staged start of `npm start` (docs/local-cluster.md "A first start"), through the real binaries:
// `control-plane start --workloads-later` is ready with the apiserver alone, so a Job created then
// gets no pod (and its claim stays unbound); the late line on stdin starts the controller manager,
// the scheduler, the fake node and KWOK from the binaries it names, and the Job's pod is then
// scheduled and the Job completes by itself. A late line that cannot be followed stops everything,
// saying why.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BatchV1Api, CoreV1Api } from '@kubernetes/client-node';
import t, { type Test } from 'tap';
import { type Cluster, clusterSource, startCommand } from '../../src/cluster/index.js';
import { AGENT_SERVICE_ACCOUNT, kubeConfig, testNamespace } from '../harness/cluster/cluster.js';
import { processesGone } from '../harness/cluster/processes.js';
import { waitFor, within } from '../harness/util/wait.js';

if (clusterSource() !== 'local') {
  t.comment('the staged start is the built-in control plane’s: not part of this run');
  process.exit(0);
}

/** `start --workloads-later` in a directory of its own, its JSON lines read one at a time. */
async function stagedStart(t: Test) {
  const dir = mkdtempSync(join(tmpdir(), 'cp-staged-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const cmd = await startCommand({ workloadsLater: true });
  const child = spawn(cmd.binary, ['start', '--dir', dir, '--exit-with-stdin', ...cmd.args], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  t.teardown(() => child.kill('SIGKILL'));
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => JSON.parse((await within('a line from start', lines.next())).value as string);
  return { dir, cmd, child, next, exited, stderr: () => stderr };
}

t.test('workloads later: a Job gets its pod once the late line has started them', async (t) => {
  const { dir, cmd, child, next, exited } = await stagedStart(t);
  const ready = await next();
  t.match(ready, { kubeconfig: join(dir, 'kubeconfig') }, 'ready with the apiserver');
  const cluster: Cluster = {
    kubeconfig: ready.kubeconfig,
    server: ready.server,
    kubectl: [cmd.binary, 'kubectl', `--kubeconfig=${ready.kubeconfig}`],
    stop: async () => {},
  };
  const kc = kubeConfig(cluster);
  const core = kc.makeApiClient(CoreV1Api);
  const batch = kc.makeApiClient(BatchV1Api);
  const namespace = await testNamespace(t, cluster);
  // A run's workspace claim, made with its Job: the default class is there already, so the claim
  // gets it at admission and is bound once the workloads (KWOK's volume stages) are up.
  const claim = await core.createNamespacedPersistentVolumeClaim({
    namespace,
    body: {
      metadata: { name: 'workspace' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  });
  t.equal(claim.spec?.storageClassName, 'standard', 'the claim has the default class');
  await batch.createNamespacedJob({
    namespace,
    body: {
      metadata: { name: 'early' },
      spec: {
        backoffLimit: 0,
        template: {
          spec: {
            restartPolicy: 'Never',
            serviceAccountName: AGENT_SERVICE_ACCOUNT,
            containers: [
              {
                name: 'agent',
                image: 'busybox:1.36',
                volumeMounts: [{ name: 'workspace', mountPath: '/workspace' }],
              },
            ],
            volumes: [{ name: 'workspace', persistentVolumeClaim: { claimName: 'workspace' } }],
          },
        },
      },
    },
  });
  // What a run admitted now sees: its Job stands, untouched by a Job controller, and nothing runs pods.
  const early = await batch.readNamespacedJob({ namespace, name: 'early' });
  t.notOk(early.status?.startTime, 'no Job controller has seen the Job');
  t.same((await core.listNamespacedPod({ namespace })).items, [], 'the Job has no pod');
  t.same((await core.listNode()).items, [], 'no node yet');

  const late = cmd.late;
  if (!late) throw new Error('startCommand gave no late stage for workloadsLater');
  const line = await late.line();
  child.stdin.write(`${JSON.stringify(line)}\n`);
  t.match(await next(), { workloads: true }, 'the workloads line: the fake node is Ready');
  const done = await waitFor(
    'the early Job to complete',
    async (note) => {
      const job = await batch.readNamespacedJob({ namespace, name: 'early' });
      note(job.status);
      return job.status?.conditions?.some((c) => c.type === 'Complete' && c.status === 'True') && job;
    },
    { timeoutMs: 120_000 },
  );
  t.ok(done.status?.startTime, 'the Job controller took it up');
  const pods = (await core.listNamespacedPod({ namespace, labelSelector: 'job-name=early' })).items;
  t.equal(pods[0]?.spec?.nodeName, 'kwok-node-0', 'its pod was scheduled on the fake node');
  const bound = await core.readNamespacedPersistentVolumeClaim({ namespace, name: 'workspace' });
  t.equal(bound.status?.phase, 'Bound', 'its claim, made before the workloads, is bound');

  child.stdin.end();
  t.equal(await within('start to stop', exited), 0, 'stdin closed: a clean stop');
  t.same(await processesGone(dir), [], 'every component is gone');
});

t.test('a late line that cannot be followed stops everything, saying why', async (t) => {
  const { dir, child, next, exited, stderr } = await stagedStart(t);
  t.ok((await next()).kubeconfig, 'ready');
  child.stdin.write(
    `${JSON.stringify({ controllersBinary: join(dir, 'missing'), kwok: join(dir, 'missing') })}\n`,
  );
  t.equal(await within('start to exit', exited), 1, 'exits 1');
  t.match(stderr(), /the workloads failed to start: starting kube-controller-manager: .*no such file/);
  t.same(await processesGone(dir), [], 'the apiserver is gone too');
});
