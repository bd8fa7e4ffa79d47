// Agent pod placement and isolation on the real apiserver, scheduler and Job controller: the agent
// profile's runtimeClassName and tolerations reach the pod (a RuntimeClass the simulated node ignores),
// and a run that sets a field the config locks is refused by the webhook, saying why.
import { randomBytes } from 'node:crypto';
import t from 'tap';
import { validateRun } from '../../src/admission/validate-run.js';
import type { TaskRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { ApiError } from '../../src/runtime/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { sampleTaskRun, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const runtimeClass = `gvisor-${randomBytes(3).toString('hex')}`;
const pool = { key: 'orchestrator.io/agents', operator: 'Exists', effect: 'NoSchedule' } as const;
const config = testConfig((c) => {
  const rex = c.agents.rex;
  if (rex) rex.podTemplate = { runtimeClassName: runtimeClass, tolerations: [pool] };
  c.job.lockedPodFields = ['runtimeClassName'];
});

t.test(
  "the profile's runtimeClassName and tolerations are on the pod; a locked field is refused",
  async (t) => {
    const created = await kubectl(
      cluster,
      ['apply', '-f', '-'],
      JSON.stringify({
        apiVersion: 'node.k8s.io/v1',
        kind: 'RuntimeClass',
        metadata: { name: runtimeClass },
        handler: 'runsc',
      }),
    );
    t.equal(created.code, 0, created.stderr);
    t.teardown(() => kubectl(cluster, ['delete', '--ignore-not-found', `runtimeclass/${runtimeClass}`]));
    const webhooks = await startTestWebhooks(t, cluster, { config });
    // The webhook server runs in this process and compiles its schemas at its first review: done here,
    // so that a loaded machine does not spend the first POST's 10 s limit on it.
    validateRun({ kind: 'TaskRun', object: sampleTaskRun('warm-up'), operation: 'CREATE', config });
    const { namespace, client } = await suite.start(t, config, { namespaceLabels: webhooks.namespaceLabels });

    await client.request('POST', runPath('TaskRun', namespace), {
      body: sampleTaskRun('placed', 7, { agent: 'rex' }),
    });
    const pod = await runPod(client, 'TaskRun', namespace, 'placed');
    const spec = pod.spec as { runtimeClassName?: string; tolerations?: unknown[]; nodeName?: string };
    t.equal(spec.runtimeClassName, runtimeClass, "the profile's RuntimeClass");
    t.match(
      spec.tolerations,
      [pool],
      "the profile's toleration (the apiserver adds its not-ready ones after it)",
    );
    const stored = await client.request<TaskRun>('GET', runPath('TaskRun', namespace, 'placed'));
    t.equal(stored.spec.podTemplate, undefined, 'not copied into the stored run: the config may change');
    await waitFor(
      'the scheduler to bind the pod',
      async (note) => {
        const current = await client.request<{ spec: { nodeName?: string }; status?: unknown }>(
          'GET',
          `/api/v1/namespaces/${namespace}/pods/${pod.metadata?.name}`,
        );
        note(current.status);
        return current.spec.nodeName;
      },
      { timeoutMs: 120_000, intervalMs: 250 },
    );

    const refused = await client
      .request('POST', runPath('TaskRun', namespace), {
        body: sampleTaskRun('escapes', 8, { agent: 'rex', podTemplate: { runtimeClassName: 'runc' } }),
      })
      .then(
        () => undefined,
        (err: unknown) => err,
      );
    t.ok(refused instanceof ApiError, 'the run is refused');
    t.equal((refused as ApiError).status, 422);
    t.match(
      (refused as ApiError).message,
      `spec.podTemplate.runtimeClassName: Forbidden: the controller config locks this field (job.lockedPodFields: runtimeClassName) and sets "${runtimeClass}" for this run's agent; remove it from the run`,
    );
  },
);
