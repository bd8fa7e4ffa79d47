// Runs in several namespaces (docs/design.md §1.2): the manager's caches cover exactly the selected
// namespaces. A list, with the RBAC of config/overlays/namespaces (RoleBindings in the listed
// namespaces only, so a cluster-wide list or watch would be forbidden): runs in both are reconciled,
// a third namespace's are never cached. A label selector: a namespace labelled after the start has
// its runs picked up, and one that loses the label is dropped from the caches.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { TaskRun } from '../../src/api/index.js';
import { serviceAccountToken, serviceAccountUser, tokenKubeConfig } from '../../src/app/service-account.js';
import { withClient } from '../../src/cluster/apply.js';
import { type Cache, KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubeConfig, kubectl } from '../harness/cluster/cluster.js';
import { applyObjects, kustomize, one } from '../harness/deploy/kustomize.js';
import { sampleTaskRun, startOperator, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { REQUEST_LIMIT_MS, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;
const admin = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });

const getRun = (namespace: string, name: string) =>
  admin.request<TaskRun>('GET', taskRunPath(namespace, name));
// A service per run: a second run of one service would wait for its workspace (one run at a time).
const createRun = (namespace: string, name: string) =>
  admin.request('POST', taskRunPath(namespace), { body: sampleTaskRun(name, 7, { serviceName: name }) });

/** Until the controller has made the run's Job (it is reconciled). */
const untilReconciled = (namespace: string, name: string) =>
  waitFor(`${namespace}/${name} reconciled`, async () =>
    Boolean((await getRun(namespace, name)).status?.jobName),
  );

/** The namespaces any cache holds objects of (the namespace informer's own objects are cluster-scoped). */
const cachedNamespaces = (caches: Cache[]) =>
  new Set(
    caches.flatMap((c) => c.list()).flatMap((o) => (o.metadata?.namespace ? [o.metadata.namespace] : [])),
  );

/** The run was never touched: no finalizer, no status. */
async function untouched(t: Test, namespace: string, name: string): Promise<void> {
  const run = await getRun(namespace, name);
  t.same(run.metadata?.finalizers ?? [], [], `${namespace}/${name}: no finalizer`);
  t.same(run.status ?? {}, {}, `${namespace}/${name}: no status`);
}

const labelNamespace = (name: string, labels: Record<string, string | null>) =>
  admin.request('PATCH', `/api/v1/namespaces/${name}`, {
    body: { metadata: { labels } },
    contentType: 'application/merge-patch+json',
  });

t.test(
  'a list of namespaces, bound by config/overlays/namespaces: both reconciled, a third not',
  async (t) => {
    const overlay = await kustomize(cluster, join(packageRoot(), 'config', 'overlays', 'namespaces'));
    t.notOk(
      overlay.some((o) => o.kind === 'ClusterRoleBinding' && o.metadata?.name === 'orchestrator-manager'),
      'the overlay binds the manager role in no cluster-wide binding',
    );
    type Binding = KubeObject & {
      roleRef: { kind: string; name: string };
      subjects: { namespace?: string }[];
    };
    const bindings = overlay.filter(
      (o): o is Binding => o.kind === 'RoleBinding' && (o as Binding).roleRef.kind === 'ClusterRole',
    );
    t.same(bindings.map((b) => b.metadata?.namespace).sort(), ['team-a', 'team-b'], 'one per example tenant');

    // The overlay's objects for this test: the ClusterRole renamed, the bindings moved to a and b, the
    // ServiceAccount in its own namespace (which holds no run and gets no binding).
    const home = await suite.namespace(t);
    const [a, b, c] = [await suite.namespace(t), await suite.namespace(t), await suite.namespace(t)];
    const role = structuredClone(one(overlay, 'ClusterRole', 'orchestrator-manager'));
    const roleName = `orchestrator-manager-${home}`;
    role.metadata = { name: roleName };
    const moved = bindings.map((binding, i) => {
      const copy = structuredClone(binding);
      copy.metadata = { name: 'orchestrator-manager', namespace: i === 0 ? a : b };
      copy.roleRef.name = roleName;
      for (const subject of copy.subjects) subject.namespace = home;
      return copy;
    });
    const sa = { namespace: home, name: 'orchestrator' };
    const serviceAccount = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { ...sa } };
    // The gateway and egress are on, as shipped: the overlay's Roles and RoleBindings of the operator's
    // namespace (the gateway's keys and ledger, the egress proxy's pods) moved to `home`, which is it.
    const operatorNamespace = testConfig().egress.proxy.namespace;
    const ofOperator = overlay
      .filter(
        (o) => ['Role', 'RoleBinding'].includes(o.kind ?? '') && o.metadata?.namespace === operatorNamespace,
      )
      .map((o) => {
        const copy = structuredClone(o);
        copy.metadata = { name: o.metadata?.name ?? '', namespace: home };
        for (const subject of (copy as Partial<Binding>).subjects ?? []) subject.namespace = home;
        return copy;
      });
    t.ok(ofOperator.length > 0, "the overlay grants in the operator's namespace");
    const applied = await applyObjects(cluster, [role, serviceAccount, ...moved, ...ofOperator]);
    t.equal(applied.code, 0, applied.stderr);
    t.teardown(() => kubectl(cluster, ['delete', '--ignore-not-found', `clusterrole/${roleName}`]));
    const canI = async (namespace: string) =>
      (
        await kubectl(cluster, [
          'auth',
          'can-i',
          'watch',
          'agenttaskruns.orchestrator.io',
          '-n',
          namespace,
          `--as=${serviceAccountUser(sa)}`,
        ])
      ).stdout.trim();
    await waitFor(
      'the bindings to take effect',
      async () => (await canI(a)) === 'yes' && (await canI(b)) === 'yes',
    );
    t.equal(await canI(c), 'no', 'nothing is granted in the third namespace');
    t.equal(
      (
        await kubectl(cluster, [
          'auth',
          'can-i',
          'watch',
          'agenttaskruns.orchestrator.io',
          '-A',
          `--as=${serviceAccountUser(sa)}`,
        ])
      ).stdout.trim(),
      'no',
      'nor cluster-wide',
    );

    const token = await withClient(kubeConfig(cluster), (api) => serviceAccountToken(api, sa, 3600));
    const client = new KubeClient(tokenKubeConfig(kubeConfig(cluster), token, serviceAccountUser(sa)), {
      requestTimeoutMs: REQUEST_LIMIT_MS,
    });
    // start() waits for every cache: with these bindings only per-namespace lists and watches succeed.
    const config = testConfig((c) => {
      c.egress.proxy = { ...c.egress.proxy, namespace: home };
    });
    const operator = await startOperator(t, cluster, a, config, {
      client,
      scope: { namespaces: [a, b] },
      operatorNamespace: home,
    });

    for (const ns of [c, a, b]) await createRun(ns, 'work');
    await untilReconciled(a, 'work');
    await untilReconciled(b, 'work');
    t.same(
      [...cachedNamespaces(operator.informers)].sort(),
      [a, b].sort(),
      'only the listed namespaces are cached',
    );
    await untouched(t, c, 'work');
  },
);

t.test('a namespace selector follows namespaces gaining and losing the label', async (t) => {
  const label = 'orchestrator.io/tenant';
  const tenant = `t-${randomBytes(4).toString('hex')}`;
  const a = await suite.namespace(t, { [label]: tenant });
  const b = await suite.namespace(t);
  const operator = await startOperator(t, cluster, a, undefined, {
    scope: { selector: `${label}=${tenant}` },
  });

  await createRun(b, 'early');
  await createRun(a, 'work');
  await untilReconciled(a, 'work');
  t.same([...cachedNamespaces(operator.informers)], [a], 'the unlabelled namespace is not cached');
  await untouched(t, b, 'early');

  await labelNamespace(b, { [label]: tenant });
  await untilReconciled(b, 'early');
  t.pass('a namespace labelled after the start has its runs reconciled');

  await labelNamespace(a, { [label]: null });
  await waitFor(
    'the unlabelled namespace dropped from the caches',
    () => !cachedNamespaces(operator.informers).has(a),
  );
  await createRun(a, 'late');
  // A run created after it in a still-selected namespace is reconciled: the caches are live.
  await createRun(b, 'late');
  await untilReconciled(b, 'late');
  t.notOk(cachedNamespaces(operator.informers).has(a), 'the unlabelled namespace stays out of the caches');
  await untouched(t, a, 'late');
});
