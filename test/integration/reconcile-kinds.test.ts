// CodeRun and DocsRun through the same generic reconciler as TaskRun: the samples of config/samples
// become their kind's PVC, ConfigMap and Job, and go from Running to Succeeded.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parse } from 'yaml';
import { LABELS, type TaskRunStatus } from '../../src/api/index.js';
import { uidHash } from '../../src/naming/names.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { agentRoutes, SHIPPED_ROUTES } from '../harness/operator/gateway.js';
import { configMapPath, finishJob, httpStatusOf, jobPath, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { samplesConfig } from '../harness/util/app-configs.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();

interface Case {
  plural: string;
  sample: string;
  /** The Job name without the hash of the run's uid it ends with. */
  job: string;
  pvc: string;
  labels: Record<string, string>;
  /** The App's key Secret, which the pod must not name. */
  secret: string;
}

const cases: Case[] = [
  {
    plural: 'coderuns',
    sample: 'coderun.yaml',
    job: 'payments-rex-task-7-v1',
    pvc: 'workspace-payments',
    labels: {
      [LABELS.taskId]: '7',
      [LABELS.service]: 'payments',
      [LABELS.agent]: 'rex',
      [LABELS.run]: 'payments-task-7-rex',
    },
    secret: 'github-app-acme-rex',
  },
  {
    plural: 'docsruns',
    sample: 'docsrun.yaml',
    job: 'docs-payments-docs-run-1',
    pvc: 'docs-workspace-projects-payments',
    labels: { [LABELS.agent]: 'morgan', [LABELS.run]: 'payments-docs' },
    secret: 'github-app-acme-morgan',
  },
];

for (const c of cases) {
  t.test(`${c.plural}: the sample runs through to Succeeded`, async (t) => {
    // An install naming the Apps the samples act as (the shipped config names none).
    const op = await suite.start(t, testConfig(undefined, samplesConfig()));
    const { namespace, client } = op;
    const body = parse(
      readFileSync(join(packageRoot(), 'config', 'samples', c.sample), 'utf8'),
    ) as KubeObject;
    const path = `/apis/orchestrator.io/v1/namespaces/${namespace}/${c.plural}`;
    const created = await client.request<KubeObject>('POST', path, { body });
    const jobName = `${c.job}-${uidHash(String(created.metadata?.uid))}`;
    const status = async () =>
      (await client.request<{ status?: TaskRunStatus }>('GET', `${path}/${body.metadata?.name}`)).status;
    await waitFor('phase Running', async () => (await status())?.phase === 'Running');
    t.match(await status(), { attempt: 1, jobName, configMapName: `${jobName}-files` });
    const job = await client.request<KubeObject>('GET', jobPath(namespace, jobName));
    t.match(job.metadata?.labels, c.labels);
    const pod = (
      job.spec as {
        template: { spec: { initContainers: { name: string; env: unknown[] }[]; volumes: unknown[] } };
      }
    ).template.spec;
    t.match(pod.volumes, [{}, { persistentVolumeClaim: { claimName: c.pvc } }]);
    const env = (pod.initContainers.find((c) => c.name === 'agent')?.env ?? []) as {
      name: string;
      valueFrom?: { secretKeyRef?: unknown };
    }[];
    t.same(agentRoutes(env), SHIPPED_ROUTES, 'the model through the gateway, no model key in the pod');
    t.notOk(
      JSON.stringify(pod).includes(c.secret),
      "nothing of the App's key Secret reaches the pod (the operator mints its tokens)",
    );
    t.equal(await httpStatusOf(client.request('GET', configMapPath(namespace, `${jobName}-files`))), 200);
    t.equal(
      await httpStatusOf(
        client.request('GET', `/api/v1/namespaces/${namespace}/persistentvolumeclaims/${c.pvc}`),
      ),
      200,
    );
    await finishJob(client, namespace, jobName, 'Complete');
    await waitFor('phase Succeeded', async () => (await status())?.phase === 'Succeeded');
    const reconciles = await op.reconciles(c.plural.replace(/s$/, ''));
    t.comment(`reconciles for one happy-path ${c.plural.replace(/s$/, '')}: ${reconciles}`);
    // 6 on a quiet machine, as for a TaskRun (reconcile-taskrun.test.ts).
    t.ok(reconciles <= 15, `at most 15 reconciles (got ${reconciles})`);
  });
}
