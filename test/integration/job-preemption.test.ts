// A co-tenant with the built-in `edit` role only cannot make his Job an attempt of another submitter's
// run (decision 0069; the attack of issue #74 item 1): on the test harness's control plane (real
// kube-apiserver and RBAC, the real Job controller), bob creates the Job named as alice's next attempt,
// labelled as the operator's, controlled by her run, with containers named like the phases, and raises
// the run's attempt. The operator does not adopt it (it lacks the operator's seal): the run reports the
// conflict, naming the Job, and its status records no uid for it; the GitHub token broker hands his pod
// no token. An install's admission policy (config/admission-policy; run-objects-policy.test.ts) refuses
// bob's Job before it exists; it is not bound here, so what is tested is the seal, the layer behind it.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import { API_VERSION, jobNameFor, LABELS, MANAGED_BY } from '../../src/api/index.js';
import { PHASE_TOKEN_AUDIENCE } from '../../src/github/phase-tokens/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { sampleTaskRun, startOperator, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { boundToken, startPhaseTokenBroker, whenRunning } from '../harness/operator/phase-tokens.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { serviceAccountClient } from '../harness/operator/service-account-client.js';
import { REQUEST_LIMIT_MS, scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

interface RunStatusSeen {
  phase?: string;
  attempt?: number;
  jobName?: string;
  jobUid?: string;
  conditions?: Array<{ type: string; reason?: string; message?: string }>;
}

/** The install's user roles (the run kinds' editor roles, aggregated into `edit`), as an install has them. */
async function applyUserRoles(admin: KubeClient): Promise<void> {
  for (const doc of parseAllDocuments(readFileSync('config/rbac/user-roles.yaml', 'utf8'))) {
    const role = doc.toJS() as KubeObject | null;
    if (!role?.kind) continue;
    await admin
      .request('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', { body: role })
      .catch((e: Error) => {
        if (!/already exists|409/i.test(e.message)) throw e;
      });
  }
}

/** Bob's Job: named as the run's attempt `attempt`, dressed as the operator's, running his image. */
function forgedJob(run: KubeObject, attempt: number): KubeObject {
  const image = 'docker.io/bob/steal';
  const mount = [{ name: 'c', mountPath: '/c' }];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor('TaskRun', run as never, attempt),
      labels: { [LABELS.managedBy]: MANAGED_BY },
      ownerReferences: [
        {
          apiVersion: API_VERSION,
          kind: 'TaskRun',
          name: run.metadata?.name ?? '',
          uid: run.metadata?.uid ?? '',
          controller: true,
        },
      ],
    },
    spec: {
      backoffLimit: 0,
      template: {
        metadata: {
          annotations: { 'sim.orchestrator.io/init-delay': '20s', 'sim.orchestrator.io/delay': '24h' },
        },
        spec: {
          restartPolicy: 'Never',
          volumes: [
            {
              name: 'c',
              projected: {
                sources: [{ serviceAccountToken: { audience: PHASE_TOKEN_AUDIENCE, path: 'token' } }],
              },
            },
          ],
          initContainers: [
            { name: 'prepare-workspace', image, volumeMounts: mount },
            { name: 'agent', image },
          ],
          containers: [{ name: 'publish', image, volumeMounts: mount }],
        },
      },
    },
  };
}

t.test(
  "an editor's Job named as the next attempt is a conflict, never the attempt, and gets no token",
  async (t) => {
    const ops = await suite.namespace(t);
    const runs = await suite.namespace(t);
    const admin = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });
    const config = testConfig();
    const { ask } = await startPhaseTokenBroker(t, admin, ops, config);
    await startOperator(t, cluster, runs, config);
    const get = () =>
      admin.request<KubeObject & { status?: RunStatusSeen }>('GET', taskRunPath(runs, 'alice-run'));

    // Alice's run (the admin stands for alice): attempt 1 runs, its Job's uid recorded.
    await admin.request('POST', taskRunPath(runs), { body: sampleTaskRun('alice-run') });
    const first = await waitFor(
      'attempt 1 running',
      async (note) => {
        const run = await get();
        note(run.status);
        return run.status?.phase === 'Running' ? run : undefined;
      },
      { timeoutMs: scaled(120_000) },
    );
    const firstJob = await admin.request<KubeObject>(
      'GET',
      `/apis/batch/v1/namespaces/${runs}/jobs/${first.status?.jobName}`,
    );
    t.equal(first.status?.jobUid, firstJob.metadata?.uid, "the status records the uid of the operator's Job");

    await applyUserRoles(admin);
    // Bob: a ServiceAccount bound to the built-in `edit` in the namespace of runs, and nothing else.
    const { client: bob } = await serviceAccountClient(t, cluster, admin, {
      home: runs,
      name: 'bob',
      role: 'edit',
      namespaces: [runs],
    });
    const run = await waitFor('bob can read the run', () =>
      bob.request<KubeObject>('GET', taskRunPath(runs, 'alice-run')).catch(() => undefined),
    );
    const forged = forgedJob(run, 2);
    const created = await waitFor('bob creates his Job', () =>
      bob
        .request<KubeObject>('POST', `/apis/batch/v1/namespaces/${runs}/jobs`, { body: forged })
        .catch(() => undefined),
    );
    await bob.request('PATCH', taskRunPath(runs, 'alice-run'), {
      body: { spec: { retryAttempt: 2 } },
      contentType: 'application/merge-patch+json',
    });

    const name = forged.metadata?.name ?? '';
    const refused = await waitFor(
      'attempt 2 reports the conflict',
      async (note) => {
        const r = await get();
        note(r.status);
        const jobCreated = r.status?.conditions?.find((c) => c.type === 'JobCreated');
        return r.status?.attempt === 2 && jobCreated?.reason === 'NameConflict'
          ? { r, jobCreated }
          : undefined;
      },
      { timeoutMs: scaled(60_000) },
    );
    t.match(
      refused.jobCreated.message,
      `Job ${name} already exists and is not this TaskRun's`,
      'the condition names the Job',
    );
    t.not(refused.r.status?.jobUid, created.metadata?.uid, "bob's Job's uid is never recorded");
    t.equal(refused.r.status?.jobUid, undefined, 'no Job uid is recorded for attempt 2');

    const pod = await waitFor(`a pod of ${name}`, async () => {
      const list = await admin.request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${runs}/pods`, {
        query: { labelSelector: `batch.kubernetes.io/job-name=${name}` },
      });
      return list.items[0];
    });
    // What the kubelet would write into bob's projected volume (KWOK mounts nothing).
    const credential = await boundToken(admin, pod);
    // Each asked while its phase's container runs: only the Job's provenance can refuse it.
    for (const [phase, container] of [
      ['read', 'prepare-workspace'],
      ['write', 'publish'],
    ] as const) {
      await whenRunning(admin, pod, container);
      const answer = await ask(phase, credential);
      t.not(answer.status, 200, `bob's ${container} asks /${phase}: ${answer.status} ${answer.text}`);
    }
  },
);
