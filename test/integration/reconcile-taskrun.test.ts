// A TaskRun reconciled against the real apiserver: the objects it becomes (names, labels, owners,
// mounts, env, security), its way from Pending through Running to Succeeded, and how many reconciles
// that takes.
import t from 'tap';
import { LABELS, type TaskRun } from '../../src/api/index.js';
import { MODEL_CREDENTIAL_DIR } from '../../src/controllers/agent/features/model-gateway.js';
import { MODEL_TOKEN_AUDIENCE } from '../../src/gateway/index.js';
import { BASE_BRANCH_DIR, uidHash } from '../../src/naming/names.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { agentRoutes, SHIPPED_ROUTES } from '../harness/operator/gateway.js';
import {
  configMapPath,
  finishJob,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  taskRunPath,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

// biome-ignore lint/suspicious/noExplicitAny: objects read back as JSON, checked field by field.
type Json = Record<string, any>;

t.test('happy path: PVC, ConfigMap and Job, then Running and Succeeded', async (t) => {
  const op = await suite.start(t);
  const { namespace, client } = op;
  const run = await client.request<TaskRun>('POST', taskRunPath(namespace), { body: sampleTaskRun('pay-7') });
  const get = () => client.request<TaskRun>('GET', taskRunPath(namespace, 'pay-7'));
  await waitFor('phase Running', async () => (await get()).status?.phase === 'Running');
  const running = await get();
  // The names end in a hash of the run's uid.
  const JOB = `payments-task-7-run-1-${uidHash(String(run.metadata?.uid))}`;
  const CM = `${JOB}-files`;
  t.same(running.metadata?.finalizers, ['taskrun.orchestrator.io/cleanup']);
  t.match(running.status, {
    attempt: 1,
    configMapName: CM,
    jobName: JOB,
    message: new RegExp(`^attempt 1 is running \\(pod ${JOB}-\\w+\\)$`),
  });
  const types = (running.status?.conditions ?? []).map((c) => [
    c.type,
    c.status,
    c.reason,
    c.observedGeneration,
  ]);
  t.same(types, [
    ['DependenciesReady', 'True', 'DependenciesSucceeded', 1],
    ['ConfigMapReady', 'True', 'Created', 1],
    ['JobCreated', 'True', 'Created', 1],
    ['Succeeded', 'Unknown', 'AgentRunning', 1],
  ]);

  const owner = {
    apiVersion: 'orchestrator.io/v1',
    kind: 'TaskRun',
    name: 'pay-7',
    uid: run.metadata?.uid,
    controller: true,
    blockOwnerDeletion: true,
  };
  const labels = {
    [LABELS.managedBy]: 'orchestrator',
    [LABELS.taskId]: '7',
    [LABELS.service]: 'payments',
    [LABELS.agent]: 'rex',
    [LABELS.run]: 'pay-7',
  };
  const cm = await client.request<Json>('GET', configMapPath(namespace, CM));
  t.equal(cm.immutable, true);
  t.same(cm.metadata.ownerReferences, [owner]);
  t.match(cm.metadata.labels, labels);
  t.ok(cm.data['container.sh'].startsWith('#!/usr/bin/env bash'), 'the entry script is rendered');

  const pvc = await client.request<Json>(
    'GET',
    `/api/v1/namespaces/${namespace}/persistentvolumeclaims/workspace-payments`,
  );
  t.notOk(pvc.metadata.ownerReferences, 'the workspace outlives its runs');
  t.same(pvc.spec.resources.requests, { storage: '10Gi' });

  const job = await client.request<Json>('GET', jobPath(namespace, JOB));
  t.same(job.metadata.ownerReferences, [owner]);
  t.match(job.metadata.labels, labels);
  t.match(job.spec, { backoffLimit: 0, activeDeadlineSeconds: 7200, ttlSecondsAfterFinished: 3600 });
  const pod = job.spec.template.spec;
  t.match(pod, {
    restartPolicy: 'Never',
    serviceAccountName: 'orchestrator-agent',
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
  });
  const agent = pod.initContainers.find((c: Json) => c.name === 'agent');
  t.same(agent.command, ['bash', '/task-files/container.sh', '--agent']);
  t.match(pod.containers, [{ name: 'publish', command: ['bash', '/task-files/container.sh', '--publish'] }]);
  t.equal(agent.image, 'ghcr.io/5dlabs/orchestrator-agent:0.1.0');
  t.same(agent.securityContext, {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  });
  t.same(agent.resources, { requests: { cpu: '1', memory: '2Gi' }, limits: { cpu: '2', memory: '4Gi' } });
  t.same(
    agentRoutes(agent.env),
    SHIPPED_ROUTES,
    "the shipped defaults: the model through the gateway with the attempt's token, the internet through the egress proxy, no key of any Secret (the App's: reconcile-github-tokens.test.ts)",
  );
  t.same(
    agent.volumeMounts.map((m: Json) => m.mountPath),
    ['/task-files', '/workspace', BASE_BRANCH_DIR, MODEL_CREDENTIAL_DIR],
  );
  // The attempt's files and the agent shell's (shared by the namespace's runs: reconcile-agent-shell.test.ts).
  const agentShell = cm.metadata.labels[LABELS.agentShell];
  t.match(agentShell, /^orchestrator-agent-shell-[0-9a-f]{16}$/);
  t.same(pod.volumes, [
    {
      name: 'task-files',
      projected: {
        sources: [{ configMap: { name: CM } }, { configMap: { name: agentShell } }],
        defaultMode: 420,
      },
    },
    { name: 'workspace', persistentVolumeClaim: { claimName: 'workspace-payments' } },
    // What prepare read from the base branch: the pod's own, not the workspace earlier agents wrote.
    { name: 'base-branch', emptyDir: { sizeLimit: '4Mi' } },
    // The agent container asks the gateway for its attempt's token with this (src/gateway/model-token-issuer.ts).
    {
      name: 'model-token-credential',
      projected: {
        sources: [
          { serviceAccountToken: { audience: MODEL_TOKEN_AUDIENCE, expirationSeconds: 600, path: 'token' } },
        ],
        defaultMode: 256,
      },
    },
  ]);
  t.match(pod.initContainers[0].env, [{ name: 'RUN_DIR', value: '/workspace/payments/.task/7/run-1/' }]);

  await finishJob(client, namespace, JOB, 'Complete');
  await waitFor('phase Succeeded', async () => (await get()).status?.phase === 'Succeeded');
  const done = await get();
  t.match(done.status, { message: 'attempt 1 succeeded', completionTime: String });
  t.match(
    done.status?.conditions?.find((c) => c.type === 'Succeeded'),
    { status: 'True', reason: 'JobSucceeded' },
  );
  const shown = await kubectl(cluster, ['get', 'otr', '-n', namespace]);
  // No webhook here: the stored spec has no agent (the reconciler defaults it in memory only).
  t.match(shown.stdout, /pay-7\s+7\s+payments\s+1\s+Succeeded/);
  const reconciles = await op.reconciles();
  t.comment(`reconciles for one happy-path run (creation to Succeeded): ${reconciles}`);
  // 6 on a quiet machine (finalizer, create, workspace being prepared, agent starting, running, Job
  // complete); under load a status write's 409 or a pod the cache shows late (looked at every 2 s)
  // adds some. The bound catches a reconcile storm, not the machine's speed.
  t.ok(reconciles <= 15, `at most 15 reconciles (got ${reconciles})`);

  const events = await client.request<{ items: Json[] }>('GET', `/api/v1/namespaces/${namespace}/events`, {
    query: { fieldSelector: 'involvedObject.name=pay-7' },
  });
  // Some transitions depend on timing, never on the run: AgentExited when a reconcile falls between
  // the agent's exit and its Job's finish; WorkspaceNotBound (and PodPending again) when the scheduler
  // first tried the pod before the workspace volume was bound, as it reports it too; MeteringUsage
  // unless the first reconcile after the Job's finish comes after the ledger's settling time.
  const timing = new Set(['AgentExited', 'WorkspaceNotBound', 'MeteringUsage']);
  const reasons = events.items.map((e) => e.reason as string);
  t.same(
    [...new Set(reasons.filter((r) => !timing.has(r)))].sort(),
    ['AgentRunning', 'JobSucceeded', 'PodPending'],
    'an Event per transition',
  );
  t.ok(
    events.items.every(
      (e) => e.involvedObject.kind === 'TaskRun' && e.involvedObject.uid === run.metadata?.uid,
    ),
    'each on the run',
  );
  t.same(
    events.items.filter((e) => e.type === 'Warning').map((e) => e.reason),
    reasons.filter((r) => r === 'WorkspaceNotBound'),
    'no Warning but a passing unbound workspace',
  );

  // The Job's TTL deletes it some time after: the run stays Succeeded, nothing is run again.
  const before = await op.reconciles();
  await client.request('DELETE', jobPath(namespace, JOB));
  // The deletion wakes the run's reconcile: once that has run, a re-created Job would be there.
  await waitFor('the reconcile after the Job was deleted', async () => (await op.reconciles()) > before);
  t.equal(await httpStatusOf(client.request('GET', jobPath(namespace, JOB))), 404, 'not re-created');
  t.equal((await get()).status?.phase, 'Succeeded');
});
