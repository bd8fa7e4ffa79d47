// Two Helm releases of the chart in two namespaces, installed side by side on the apiserver: release-scoped
// names, each release's webhooks admitting only its own namespace's runs, the shared CRDs adopted and kept
// after both uninstalls.
// @needs helm
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl, testCluster } from '../harness/cluster/cluster.js';
import { CHART, helm } from '../harness/deploy/helm.js';
import type { Values } from '../harness/deploy/helm-overlay.js';
import { parseObjects } from '../harness/deploy/kustomize.js';

const cluster = await testCluster();
const chart = await helm();
const root = packageRoot();
const work = mkdtempSync(join(tmpdir(), 'helm-releases-'));
t.teardown(() => rmSync(work, { recursive: true, force: true }));

t.test('two releases in two namespaces install side by side', async (t) => {
  const at = ['--kubeconfig', cluster.kubeconfig];
  const releases = [
    // The integration lane's control plane is shared: another file may have applied the CRDs with
    // kubectl already, as a user who installed with kustomize first would have. --take-ownership
    // adopts them (the chart's CRDs are the same, generated from schemas/).
    // Each release reconciles its own namespace, so its webhooks admit only that namespace's runs.
    {
      name: 'orchestrator',
      namespace: 'orchestrator-a',
      flags: ['--take-ownership', '--set', 'watchNamespaces={orchestrator-a}'],
    },
    {
      name: 'team-b',
      namespace: 'orchestrator-b',
      flags: ['--set', 'crds.install=false', '--set', 'watchNamespaces={orchestrator-b}'],
    },
  ];
  /** The namespaces each release's webhooks select, by webhook. */
  const selected: Record<string, string[]>[] = [];
  /** The cluster-scoped objects of each release, by its manifest. */
  const clusterScoped: string[][] = [];
  for (const r of releases) {
    const args = ['install', r.name, CHART, '-n', r.namespace, '--create-namespace', ...at, ...r.flags];
    const out = await chart.run(args);
    t.equal(out.code, 0, `helm install ${r.name} -n ${r.namespace}: ${out.stderr}`);
    const manifest = await chart.run(['get', 'manifest', r.name, '-n', r.namespace, ...at]);
    clusterScoped.push(
      parseObjects(manifest.stdout)
        .filter((o) => /^(Cluster|MutatingWebhook|ValidatingWebhook)/.test(o.kind ?? ''))
        .map((o) => `${o.kind}/${o.metadata?.name}`),
    );
    const hooks = parseObjects(manifest.stdout)
      .filter((o) => /^(Mutating|Validating)WebhookConfiguration$/.test(o.kind ?? ''))
      .flatMap((o) => (o as Values).webhooks as Values[]);
    selected.push(
      Object.fromEntries(
        hooks.map((h) => [
          h.name,
          h.namespaceSelector?.matchExpressions?.find(
            (e: Values) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'In',
          )?.values,
        ]),
      ),
    );
  }
  for (const [i, r] of releases.entries())
    t.same(
      new Set(Object.values(selected[i] ?? {}).map((v) => JSON.stringify(v))),
      new Set([JSON.stringify([r.namespace])]),
      `every webhook of ${r.name} selects its namespace only`,
    );
  // The apiserver calls only the webhooks whose selector matches (no webhook server runs here, so a
  // call fails, naming the Service it tried): a run in one release's namespace reaches that release's
  // webhooks alone, and a run in neither reaches none.
  const sample = readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8');
  for (const [i, r] of releases.entries()) {
    const created = await kubectl(cluster, ['create', '-n', r.namespace, '-f', '-'], sample);
    t.not(created.code, 0, `a run in ${r.namespace} goes to a webhook`);
    t.match(created.stderr, `failed calling webhook`);
    t.match(created.stderr, `${r.namespace}`, `${r.name}'s`);
    const other = releases[1 - i]?.namespace as string;
    t.notMatch(created.stderr, other, "not the other release's");
  }
  await kubectl(cluster, ['create', 'namespace', 'orchestrator-neither']);
  const neither = await kubectl(cluster, ['create', '-n', 'orchestrator-neither', '-f', '-'], sample);
  t.equal(neither.code, 0, `a run in neither namespace meets no webhook: ${neither.stderr}`);
  await kubectl(cluster, ['delete', 'namespace', 'orchestrator-neither', '--wait=false']);
  const [a = [], b = []] = clusterScoped;
  t.ok(a.length > 10 && b.length === a.length, `each release has its cluster-scoped objects (${a.length})`);
  t.same(
    a.filter((k) => b.includes(k)),
    [],
    'none shared',
  );
  t.ok(b.includes('ClusterRole/team-b-orchestrator-manager'), "the second release's names carry its name");
  for (const r of releases) {
    const out = await chart.run(['uninstall', r.name, '-n', r.namespace, ...at]);
    t.equal(out.code, 0, `helm uninstall ${r.name}: ${out.stderr}`);
  }
  const crd = await kubectl(cluster, ['get', 'crd', 'agenttaskruns.orchestrator.io']);
  t.equal(crd.code, 0, 'the CRDs stay after both uninstalls (helm.sh/resource-policy: keep)');
});
