// The generated CRDs, as the real kube-apiserver and kubectl treat them.
import t from 'tap';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { CRD_NAMES, ensureCrds } from '../harness/deploy/crds.js';

const cluster = await testCluster();
await ensureCrds(cluster);

const minimal = (name: string, extra = '') => `apiVersion: orchestrator.io/v1
kind: TaskRun
metadata:
  name: ${name}
spec:
  taskId: 7
  serviceName: payments
  markdownFiles:
    - filename: task.md
      content: "# Add retries to the payment client"
${extra}`;

t.test('the three CRDs are Established with short names and the orchestrator category', async (t) => {
  const res = await kubectl(cluster, ['get', 'crd', ...CRD_NAMES, '-o', 'json']);
  t.equal(res.code, 0, res.stderr);
  const items = JSON.parse(res.stdout).items as Array<{
    metadata: { name: string };
    spec: {
      names: { shortNames: string[]; categories: string[] };
      versions: Array<{ subresources?: object }>;
    };
    status: { conditions: Array<{ type: string; status: string }> };
  }>;
  const shortNames = Object.fromEntries(items.map((i) => [i.metadata.name, i.spec.names.shortNames]));
  t.same(shortNames, {
    'taskruns.orchestrator.io': ['otr'],
    'coderuns.orchestrator.io': ['ocr'],
    'docsruns.orchestrator.io': ['odr'],
  });
  for (const crd of items) {
    t.ok(
      crd.status.conditions.some((c) => c.type === 'Established' && c.status === 'True'),
      `${crd.metadata.name} Established`,
    );
    t.ok(crd.spec.names.categories.includes('orchestrator'), `${crd.metadata.name} in category orchestrator`);
    t.ok(
      crd.spec.versions[0]?.subresources && 'status' in crd.spec.versions[0].subresources,
      'status subresource',
    );
  }
});

t.test('kubectl explain shows the schema descriptions', async (t) => {
  const res = await kubectl(cluster, ['explain', 'taskrun.spec.markdownFiles']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /FIELD:\s+markdownFiles/);
  t.match(res.stdout, /DESCRIPTION:\s+\S/, 'the field has a description');
  t.match(res.stdout, /filename\s+<string> -required-/);
  t.match(res.stdout, /fileType\s+<string>/);
  const nested = await kubectl(cluster, ['explain', 'taskrun.spec.markdownFiles.filename']);
  t.match(nested.stdout, /DESCRIPTION:\s+\S/);
});

t.test('kubectl get otr prints the printer columns', async (t) => {
  const ns = await testNamespace(t, cluster);
  const applied = await kubectl(cluster, ['apply', '-n', ns, '-f', '-'], minimal('columns'));
  t.equal(applied.code, 0, applied.stderr);
  const res = await kubectl(cluster, ['get', 'otr', '-n', ns]);
  t.equal(res.code, 0, res.stderr);
  const [header, row] = res.stdout.trim().split('\n');
  t.same(header?.split(/\s+/), ['NAME', 'TASK', 'SERVICE', 'AGENT', 'ATTEMPT', 'PHASE', 'AGE']);
  t.match(row, /^columns\s+7\s+payments\s+/);
  const byCategory = await kubectl(cluster, ['get', 'orchestrator', '-n', ns, '-o', 'name']);
  t.equal(byCategory.stdout.trim(), 'taskrun.orchestrator.io/columns', 'kubectl get orchestrator lists runs');
});
