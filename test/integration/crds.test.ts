// The generated CRDs, as the real kube-apiserver and kubectl treat them, beside Tekton's TaskRun too.
import { join } from 'node:path';
import t from 'tap';
import { defaultConfigFile } from '../../src/config/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { CRD_NAMES, ensureCrds } from '../harness/deploy/crds.js';
import { runCli } from '../harness/operator/cli.js';
import { scaled } from '../harness/util/wait.js';

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
    'agenttaskruns.orchestrator.io': ['otr'],
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
  const res = await kubectl(cluster, ['explain', 'agenttaskrun.spec.markdownFiles']);
  t.equal(res.code, 0, res.stderr);
  t.match(res.stdout, /FIELD:\s+markdownFiles/);
  t.match(res.stdout, /DESCRIPTION:\s+\S/, 'the field has a description');
  t.match(res.stdout, /filename\s+<string> -required-/);
  t.match(res.stdout, /fileType\s+<string>/);
  const nested = await kubectl(cluster, ['explain', 'agenttaskrun.spec.markdownFiles.filename']);
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

t.test("beside Tekton's TaskRun CRD: kubectl's taskruns are Tekton's, ours apply as written", async (t) => {
  const tekton = join(packageRoot(), 'test', 'fixtures', 'tekton', 'taskruns.tekton.dev.yaml');
  const installed = await kubectl(cluster, ['apply', '--server-side', '-f', tekton]);
  t.equal(installed.code, 0, installed.stderr);
  t.teardown(async () => {
    await kubectl(cluster, ['delete', '-f', tekton, '--ignore-not-found', '--wait=false']);
  });
  const established = await kubectl(cluster, [
    ...['wait', '--for=condition=Established', 'crd/taskruns.tekton.dev', `--timeout=${scaled(60)}s`],
  ]);
  t.equal(established.code, 0, established.stderr);
  const ns = await testNamespace(t, cluster);
  const theirs = `apiVersion: tekton.dev/v1\nkind: TaskRun\nmetadata:\n  name: build-1\nspec:\n  taskRef: {name: build}\n`;
  for (const manifest of [theirs, minimal('agent-1')]) {
    const applied = await kubectl(cluster, ['apply', '-n', ns, '-f', '-'], manifest);
    t.equal(applied.code, 0, `applied as written: ${applied.stderr}`);
  }
  const names = async (...args: string[]) => {
    const out = await kubectl(cluster, [...args, '-n', ns, '-o', 'name']);
    t.equal(out.code, 0, out.stderr);
    return out.stdout.trim();
  };
  for (const word of ['taskruns', 'taskrun', 'tr'])
    t.equal(await names('get', word), 'taskrun.tekton.dev/build-1', `kubectl get ${word}: Tekton's`);
  for (const word of [
    'agenttaskruns',
    'agenttaskrun',
    'otr',
    'orchestrator',
    'agenttaskruns.orchestrator.io',
  ])
    t.equal(await names('get', word), 'taskrun.orchestrator.io/agent-1', `kubectl get ${word}: ours`);
  t.equal(
    await names('get', 'taskrun.orchestrator.io/agent-1'),
    'taskrun.orchestrator.io/agent-1',
    'what kubectl prints for ours (the kind and group) names ours back',
  );
  const explained = await kubectl(cluster, ['explain', 'taskrun']);
  t.match(explained.stdout, /GROUP:\s+tekton\.dev/, "kubectl explain taskrun: Tekton's");
  const cli = await runCli(cluster, ['get', 'taskruns', '-o', 'name'], { namespace: ns });
  t.equal(cli.stdout, 'taskrun.orchestrator.io/agent-1\n', 'this CLI knows only runs: taskruns are ours');
  const doctor = await runCli(cluster, ['doctor', '--config', defaultConfigFile(), '--check', 'crd-names']);
  t.match(
    doctor.stdout,
    '[ok] crd-names: no other CRD declares agenttaskruns, agenttaskrun, otr',
    doctor.stdout,
  );
});
