// config/argo against the real apiserver (docs/argo.md): with Argo's own CRDs installed (Argo
// Workflows v3.7.18's full CRDs validate spec), every shipped object and every Workflow a Sensor
// creates passes a server-side dry run; and a run created from a template's manifest, followed by the
// operator, reaches exactly the condition the template's step waits for.
import t from 'tap';
import type { RunKindName } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { kubectl } from '../harness/cluster/cluster.js';
import { ensureArgoCrds } from '../harness/deploy/argo.js';
import { conditionHolds, failureHolds } from '../harness/deploy/argo-conditions.js';
import {
  ARGO_CONFIG,
  argoObjects,
  createdRun,
  SAMPLE_PARAMETERS,
  sampleWorkflow,
  sensorTriggers,
  template,
  workflowTemplate,
} from '../harness/deploy/argo-manifests.js';
import { applyObjects, kustomize } from '../harness/deploy/kustomize.js';
import { attemptNames, finishJob, testConfig, untilJob } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;
await ensureArgoCrds(cluster);

const inNamespace = (objects: KubeObject[], namespace: string): KubeObject[] =>
  objects.map((o) => ({ ...o, metadata: { ...o.metadata, namespace } }));

/** `kubectl create --dry-run=server` (objects with generateName cannot be applied), strict field validation. */
const createDryRun = (objects: KubeObject[], namespace: string) =>
  kubectl(
    cluster,
    ['create', '--dry-run=server', '--validate=strict', '-n', namespace, '-f', '-'],
    objects.map((o) => JSON.stringify(o)).join('\n---\n'),
  );

t.test('every object of config/argo passes a server-side dry run against Argo CRDs', async (t) => {
  const namespace = await suite.namespace(t);
  const objects = await kustomize(cluster, ARGO_CONFIG);
  t.same(
    objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort(),
    argoObjects()
      .map((o) => `${o.kind}/${o.metadata?.name}`)
      .sort(),
    'kustomize renders every file of config/argo (the offline test reads the same)',
  );
  t.same([...new Set(objects.map((o) => o.kind))].sort(), [
    'ConfigMap',
    'EventSource',
    'Role',
    'RoleBinding',
    'Sensor',
    'ServiceAccount',
    'WorkflowTemplate',
  ]);
  const result = await applyObjects(cluster, inNamespace(objects, namespace), { dryRun: true });
  t.equal(result.code, 0, result.stderr);
  const accepted = result.stdout.split('\n').filter((l) => l.endsWith('(server dry run)'));
  t.equal(accepted.length, objects.length, `all ${objects.length} objects accepted`);

  // The CRDs do check spec: a misspelt field of a resource template is refused.
  const typo = structuredClone(workflowTemplate('coderun-template'));
  const step = template(typo, 'coderun') as unknown as { resource: Record<string, unknown> };
  step.resource.sucessCondition = step.resource.successCondition;
  const refused = await applyObjects(cluster, inNamespace([typo], namespace), { dryRun: true });
  t.not(refused.code, 0, 'a WorkflowTemplate with an unknown field is refused');
  t.match(refused.stderr, /sucessCondition/);
});

t.test('the Workflows the Sensors create pass a server-side dry run', async (t) => {
  const namespace = await suite.namespace(t);
  const workflows = sensorTriggers().map(sampleWorkflow);
  const result = await createDryRun(workflows, namespace);
  t.equal(result.code, 0, result.stderr);
  t.equal(
    result.stdout.split('\n').filter((l) => l.endsWith('(server dry run)')).length,
    workflows.length,
    `all ${workflows.length} accepted`,
  );
});

interface Case {
  workflowTemplate: string;
  template: string;
  outcome: 'Complete' | 'Failed';
}

const cases: Case[] = [
  { workflowTemplate: 'coderun-template', template: 'coderun', outcome: 'Complete' },
  { workflowTemplate: 'coderun-template', template: 'coderun', outcome: 'Failed' },
  { workflowTemplate: 'docsrun-template', template: 'docsrun', outcome: 'Complete' },
];

t.test('a run created by a template reaches the condition its step waits for', async (t) => {
  // One attempt: a failed agent makes the run Failed at once (with retries left it is Pending).
  const config = testConfig((c) => {
    c.retries.maxRetries = 0;
  });
  const { namespace, client } = await suite.start(t, config);
  for (const c of cases) {
    const tp = template(workflowTemplate(c.workflowTemplate), c.template);
    const { successCondition = '', failureCondition = '' } = tp.resource ?? {};
    const body = createdRun(tp, SAMPLE_PARAMETERS);
    // No Workflow owns it here: the garbage collector would delete a run whose owner does not exist.
    delete body.metadata?.ownerReferences;
    const kind = body.kind as RunKindName;
    const created = await client.request<KubeObject>('POST', runPath(kind, namespace), { body });
    const name = String(created.metadata?.name);
    const read = () => client.request<KubeObject>('GET', runPath(kind, namespace, name));
    const where = `${c.workflowTemplate}: ${kind} ${name}`;
    const running = await waitFor(`${where} Running`, async () => {
      const run = await read();
      return (run.status as { phase?: string } | undefined)?.phase === 'Running' ? run : undefined;
    });
    t.notOk(conditionHolds(successCondition, running), `${where}: Running is not success`);
    t.notOk(failureHolds(failureCondition, running), `${where}: Running is not failure`);
    const { job } = await attemptNames(client, namespace, kind, name);
    await untilJob(client, namespace, job, `the Job of ${where}`);
    await finishJob(client, namespace, job, c.outcome);
    const done = await waitFor(`${where}: a condition of the step holds`, async () => {
      const run = await read();
      return conditionHolds(successCondition, run) || failureHolds(failureCondition, run) ? run : undefined;
    });
    const succeeded = c.outcome === 'Complete';
    t.equal(conditionHolds(successCondition, done), succeeded, `${where}: success iff the agent succeeded`);
    t.equal(failureHolds(failureCondition, done), !succeeded, `${where}: failure iff it failed`);
    t.match(done.status, { phase: succeeded ? 'Succeeded' : 'Failed' });
  }
});
