// How the real apiserver enforces the TaskRun schema: defaults, refusals naming the field, and the
// spec/status split of the status subresource.
import { ApiException, CustomObjectsApi } from '@kubernetes/client-node';
import t from 'tap';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureCrds } from '../harness/deploy/crds.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const api = kubeConfig(cluster).makeApiClient(CustomObjectsApi);
const ref = { group: 'orchestrator.io', version: 'v1', plural: 'agenttaskruns' };

type Obj = Record<string, unknown>;
const taskRun = (name: string, spec: Obj): Obj => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name },
  spec,
});
const validSpec = (): Obj => ({
  taskId: 3,
  serviceName: 'billing',
  markdownFiles: [{ filename: 'task.md', content: '# Task' }],
});

async function createError(namespace: string, body: Obj): Promise<{ code: number; message: string }> {
  try {
    await api.createNamespacedCustomObject({ ...ref, namespace, body });
  } catch (err) {
    if (err instanceof ApiException)
      return { code: err.code, message: JSON.parse(err.body as string).message };
    throw err;
  }
  return { code: 201, message: 'accepted' };
}

t.test('a minimal TaskRun is accepted and stored with the schema defaults', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const created = (await api.createNamespacedCustomObject({
    ...ref,
    namespace,
    body: taskRun('minimal', { ...validSpec(), repository: { url: 'https://github.com/acme/billing.git' } }),
  })) as { spec: Obj & { markdownFiles: Obj[]; repository: Obj }; metadata: { generation: number } };
  t.equal(created.spec.priority, 'standard');
  t.equal(created.spec.retryAttempt, 1);
  t.notOk(
    'fileType' in (created.spec.markdownFiles[0] ?? {}),
    'list items stay as written (absent fileType means task)',
  );
  t.equal(created.spec.repository.branch, 'main');
  t.equal(created.metadata.generation, 1);
});

const invalid: Array<[string, (s: Obj) => void, RegExp]> = [
  ['no taskId', (s) => delete s.taskId, /spec\.taskId: Required value/],
  ['taskId 0', (s) => (s.taskId = 0), /spec\.taskId: Invalid value: 0: .*greater than or equal to 1/],
  [
    'a bad filename',
    (s) => (s.markdownFiles = [{ filename: '../etc/passwd', content: 'x' }]),
    /spec\.markdownFiles\[0\]\.filename: Invalid value: "\.\.\/etc\/passwd"/,
  ],
  [
    'an unknown fileType',
    (s) => (s.markdownFiles = [{ filename: 'a.md', content: 'x', fileType: 'poem' }]),
    /spec\.markdownFiles\[0\]\.fileType: Unsupported value: "poem"/,
  ],
  [
    'empty markdownFiles',
    (s) => (s.markdownFiles = []),
    /spec\.markdownFiles: Invalid value: 0: .*at least 1 items/,
  ],
  [
    'a serviceName with capitals',
    (s) => (s.serviceName = 'Billing'),
    /spec\.serviceName: Invalid value: "Billing": spec\.serviceName in body should match/,
  ],
  [
    'duplicate filenames',
    (s) =>
      (s.markdownFiles = [
        { filename: 'a.md', content: 'x' },
        { filename: 'a.md', content: 'y' },
      ]),
    /spec\.markdownFiles\[1\]: Duplicate value/,
  ],
];

for (const [what, change, expected] of invalid) {
  t.test(`the apiserver refuses a TaskRun with ${what}, naming the field`, async (t) => {
    const namespace = await testNamespace(t, cluster);
    const spec = validSpec();
    change(spec);
    const res = await createError(namespace, taskRun('bad', spec));
    t.equal(res.code, 422, res.message);
    t.match(res.message, expected);
  });
}

t.test('every violation is reported at once', async (t) => {
  const namespace = await testNamespace(t, cluster);
  const res = await createError(
    namespace,
    taskRun('bad', { taskId: 0, serviceName: 'X', markdownFiles: [] }),
  );
  t.match(res.message, /spec\.taskId/);
  t.match(res.message, /spec\.serviceName/);
  t.match(res.message, /spec\.markdownFiles/);
});

t.test('status writes leave spec and generation alone; spec writes bump generation', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await api.createNamespacedCustomObject({ ...ref, namespace, body: taskRun('gen', validSpec()) });
  const status = await kubectl(cluster, [
    ...['patch', 'otr', 'gen', '-n', namespace, '--subresource=status', '--type=merge'],
    ...[
      '-p',
      JSON.stringify({ status: { phase: 'Running', attempt: 1 }, spec: { taskId: 99 } }),
      '-o',
      'json',
    ],
  ]);
  t.equal(status.code, 0, status.stderr);
  const afterStatus = JSON.parse(status.stdout);
  t.equal(afterStatus.status.phase, 'Running');
  t.equal(afterStatus.spec.taskId, 3, 'a spec change sent to /status is ignored');
  t.equal(afterStatus.metadata.generation, 1);

  const spec = await kubectl(cluster, [
    ...['patch', 'otr', 'gen', '-n', namespace, '--type=merge'],
    ...['-p', JSON.stringify({ spec: { priority: 'high' }, status: { phase: 'Failed' } }), '-o', 'json'],
  ]);
  t.equal(spec.code, 0, spec.stderr);
  const afterSpec = JSON.parse(spec.stdout);
  t.equal(afterSpec.metadata.generation, 2);
  t.equal(afterSpec.spec.priority, 'high');
  t.equal(afterSpec.status.phase, 'Running', 'a status change sent to the main resource is ignored');
});

t.test('status.outputs: what the publisher did with each request, bounded by the schema', async (t) => {
  const namespace = await testNamespace(t, cluster);
  await api.createNamespacedCustomObject({ ...ref, namespace, body: taskRun('outs', validSpec()) });
  const patch = (outputs: unknown) =>
    kubectl(cluster, [
      ...['patch', 'otr', 'outs', '-n', namespace, '--subresource=status', '--type=merge'],
      ...['-p', JSON.stringify({ status: { outputs } }), '-o', 'json'],
    ]);
  const report = [
    { kind: 'comment', outcome: 'Performed' },
    { kind: 'labels', outcome: 'Refused', reason: 'label "deploy" is not in outputs.labels.allowed' },
    { kind: 'review', outcome: 'Failed', reason: 'GitHub answered 422' },
  ];
  const written = await patch(report);
  t.equal(written.code, 0, written.stderr);
  t.same(JSON.parse(written.stdout).status.outputs, report, 'kept as written');
  const unknownOutcome = await patch([{ kind: 'comment', outcome: 'Done' }]);
  t.not(unknownOutcome.code, 0);
  t.match(unknownOutcome.stderr, /status\.outputs\[0\]\.outcome: Unsupported value: "Done"/);
  const tooMany = await patch(Array.from({ length: 17 }, () => ({ kind: 'comment', outcome: 'Performed' })));
  t.match(tooMany.stderr, /status\.outputs: Too many: 17: must have at most 16 items/);
  const long = await patch([{ kind: 'comment', outcome: 'Refused', reason: 'x'.repeat(257) }]);
  t.match(long.stderr, /status\.outputs\[0\]\.reason: Too long/);
});
