// What the install grants the manager on Secrets is what docs/security.md says it grants ("What the
// install grants on Secrets"): the table there is read, and each of its cells asked of the real
// apiserver with a SubjectAccessReview for the manager's ServiceAccount, with the RBAC of the default
// install (config/rbac, its ClusterRoleBinding) and of config/overlays/namespaces (RoleBindings per run
// namespace), each moved into a test's namespaces. A manifest or a doc changed alone fails here.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { parseAllDocuments, stringify } from 'yaml';
import { appKeysRole } from '../../scripts/generate-app-keys-role.js';
import { serviceAccountUser } from '../../src/app/service-account.js';
import { loadDefaultConfig } from '../../src/config/load.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { applyObjects, kustomize } from '../harness/deploy/kustomize.js';
import { isolated } from '../harness/deploy/rbac.js';
import { withApps } from '../harness/util/app-configs.js';
import { waitFor } from '../harness/util/wait.js';

const root = packageRoot();
const cluster = await testCluster();
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: 30_000 });
t.teardown(() => admin.close());

type Cell = 'allowed' | 'denied';
const QUESTIONS = ['listHome', 'getKey', 'getOther', 'listRuns'] as const;
type Question = (typeof QUESTIONS)[number];

/** docs/security.md's table: install → the answer to each question, in the table's column order. */
function documented(): Map<string, Record<Question, Cell>> {
  const text = readFileSync(join(root, 'docs', 'security.md'), 'utf8');
  const section = text.split('### What the install grants on Secrets')[1] ?? '';
  const rows = section
    .split('\n')
    .filter((l) => /^\| (default|namespaced) \|/.test(l))
    .map((l) =>
      l
        .split('|')
        .map((c) => c.trim())
        .filter(Boolean),
    );
  return new Map(
    rows.map(([install = '', ...cells]) => [
      install,
      Object.fromEntries(QUESTIONS.map((q, i) => [q, cells[i] as Cell])) as Record<Question, Cell>,
    ]),
  );
}

type Binding = KubeObject & { roleRef: { kind: string; name: string }; subjects: { namespace?: string }[] };

/** A SubjectAccessReview for the manager's ServiceAccount (`home`/orchestrator): allowed or denied. */
async function review(home: string, attributes: Record<string, string>): Promise<Cell> {
  const user = serviceAccountUser({ namespace: home, name: 'orchestrator' });
  const answer = await admin.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${home}`, 'system:authenticated'],
          resourceAttributes: { group: '', resource: 'secrets', ...attributes },
        },
      },
    },
  );
  return answer.status.allowed ? 'allowed' : 'denied';
}

/** The RBAC of `install` for the manager in `home`, run namespace `runs`: cluster-wide names suffixed. */
async function rbacOf(install: string, home: string, runs: string): Promise<KubeObject[]> {
  const dir =
    install === 'default' ? join(root, 'config', 'rbac') : join(root, 'config', 'overlays', 'namespaces');
  // An install names its Apps (the shipped config names none): the Role `npm run generate` then
  // writes into config/rbac from that config.
  const appKeys = parseAllDocuments(
    appKeysRole(stringify(withApps(loadDefaultConfig())), "the samples' Apps"),
  )
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
  const rbac = [...(await kustomize(cluster, dir)), ...appKeys].filter((o) =>
    ['ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'ServiceAccount'].includes(String(o.kind)),
  );
  // The orchestrator's own objects move to `home`; a RoleBinding of a run namespace (the overlay's
  // examples team-a, team-b) moves to `runs`.
  const managerBinding = (o: KubeObject) =>
    o.kind === 'RoleBinding' && (o as Binding).roleRef.name === 'orchestrator-manager';
  const own = rbac.filter((o) => !managerBinding(o));
  const perRunNamespace = rbac.filter(managerBinding);
  const moved = isolated(own, home);
  const bindings = perRunNamespace.slice(0, 1).map((b) => {
    const copy = structuredClone(b) as Binding;
    copy.metadata = { name: String(b.metadata?.name), namespace: runs };
    copy.roleRef.name = `${copy.roleRef.name}-${home}`;
    for (const s of copy.subjects) s.namespace = home;
    return copy;
  });
  return [...moved, ...bindings];
}

const table = documented();
t.same([...table.keys()], ['default', 'namespaced'], 'docs/security.md states both installs');

for (const [install, expected] of table)
  t.test(`the ${install} install grants on Secrets what docs/security.md says`, async (t) => {
    const home = await testNamespace(t, cluster);
    const runs = await testNamespace(t, cluster);
    const objects = await rbacOf(install, home, runs);
    const keyRole = objects.find(
      (o) => o.kind === 'Role' && o.metadata?.name === 'orchestrator-github-app-keys',
    ) as (KubeObject & { rules: { resourceNames?: string[] }[] }) | undefined;
    const key = keyRole?.rules[0]?.resourceNames?.[0];
    t.ok(key, 'the by-name Role names an App key Secret');
    const applied = await applyObjects(cluster, objects);
    t.equal(applied.code, 0, applied.stderr);
    t.teardown(async () => {
      for (const o of objects.filter((o) => String(o.kind).startsWith('Cluster')))
        await kubectl(cluster, [
          'delete',
          '--ignore-not-found',
          `${String(o.kind).toLowerCase()}/${o.metadata?.name}`,
        ]);
    });
    // The authorizer reads RBAC from its informer: the grant every install makes, the key by name, is
    // waited for, so that a cache not yet current is not taken for a "denied".
    await waitFor(
      'the RBAC to reach the authorizer',
      async () => (await review(home, { verb: 'get', namespace: home, name: String(key) })) === 'allowed',
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const asked: Record<Question, Cell> = {
      listHome: await review(home, { verb: 'list', namespace: home }),
      getKey: await review(home, { verb: 'get', namespace: home, name: String(key) }),
      getOther: await review(home, { verb: 'get', namespace: home, name: 'orchestrator-github-webhook' }),
      listRuns: await review(home, { verb: 'list', namespace: runs }),
    };
    t.same(asked, expected, `${install}: the apiserver's answers are the table's`);
  });
