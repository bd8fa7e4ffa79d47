// A run's controls are its submitter's (src/admission/run-controls.ts, docs/security.md "Who may change
// what"), on the real apiserver with real RBAC and the shipped user roles (config/rbac/user-roles.yaml,
// aggregated by the controller manager): alice and bob hold the built-in `edit` in the namespace, carol
// `admin`. Bob may not start another attempt of alice's run, cancel it, join it to a play (its label,
// an owner) nor hold its deletion (a finalizer); alice may; carol, whose admin role carries `retry` and
// `cancel`, may retry and cancel it. The operator's cleanup finalizer is not even alice's to remove: a
// cluster admin (`*`, so `finalize`) may, the way out when no manager finishes the deletion.
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { kindFacts } from '../../src/api/index.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects, kustomize, ofKind } from '../harness/deploy/kustomize.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';

const cluster = await testCluster({ workloads: false });
await ensureCrds(cluster);

const CLEANUP = kindFacts('CodeRun').finalizer;

t.test(
  'bob, another editor, may change none of the controls of alice’s run; alice and an admin may',
  async (t) => {
    const home = await testNamespace(t, cluster);
    const identity = await apiIdentity(t, cluster, home);
    const reviews = await identityClient(t, cluster, identity);
    const webhooks = await startTestWebhooks(t, cluster, { reviews });
    const ns = await routedNamespace(t, cluster, webhooks);
    const userRoles = ofKind(
      await kustomize(cluster, join(packageRoot(), 'config', 'rbac')),
      'ClusterRole',
    ).filter((role) =>
      Object.keys(role.metadata?.labels ?? {}).some((l) =>
        l.startsWith('rbac.authorization.k8s.io/aggregate-to-'),
      ),
    );
    const binding = (user: string, role: string): KubeObject =>
      ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: `${role}-${user}`, namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
      }) as KubeObject;
    const applied = await applyObjects(cluster, [
      ...userRoles,
      binding('alice', 'edit'),
      binding('bob', 'edit'),
      binding('carol', 'admin'),
    ]);
    t.equal(applied.code, 0, applied.stderr);
    for (const user of ['alice', 'bob'])
      await waitForPermission(cluster, user, ['patch', 'coderuns.orchestrator.io', '-n', ns]);
    const bobsRetry = await kubectl(cluster, [
      'auth',
      'can-i',
      'retry',
      'coderuns.orchestrator.io',
      '-n',
      ns,
      '--as=bob',
    ]);
    t.equal(bobsRetry.stdout.trim(), 'no', 'edit grants no retry');

    const run = stringify({
      apiVersion: 'orchestrator.io/v1',
      kind: 'CodeRun',
      metadata: { name: 'fix' },
      spec: {
        taskId: 3,
        service: 'payments',
        repositoryUrl: 'https://github.com/acme/payments',
        docsRepositoryUrl: 'https://github.com/acme/docs',
        githubUser: 'alice',
      },
    });
    const created = await kubectl(cluster, ['create', '-n', ns, '-f', '-', '--as=alice'], run);
    t.equal(created.code, 0, created.stderr);
    if (created.code !== 0) return;
    // A real owner, so that the garbage collector keeps the run: bob's ConfigMap (edit may create one).
    const owner = await kubectl(cluster, [
      'create',
      'configmap',
      'bobs-play',
      '-n',
      ns,
      '--as=bob',
      '-o',
      'json',
    ]);
    t.equal(owner.code, 0, owner.stderr);
    const ownerRef = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      name: 'bobs-play',
      uid: JSON.parse(owner.stdout).metadata.uid,
    };

    const patch = (as: string, body: object, type = 'merge') =>
      kubectl(cluster, [
        'patch',
        'ocr',
        'fix',
        '-n',
        ns,
        `--type=${type}`,
        '-p',
        JSON.stringify(body),
        `--as=${as}`,
      ]);
    const stored = async () =>
      JSON.parse(
        (await kubectl(cluster, ['get', 'ocr', 'fix', '-n', ns, '-o', 'json'])).stdout,
      ) as KubeObject & {
        spec: Record<string, unknown>;
      };
    const label = 'workflows.argoproj.io/workflow';
    const controls: [what: string, body: object, field: string, verb: string][] = [
      ['another attempt', { spec: { contextVersion: 2 } }, 'spec.contextVersion', 'retry'],
      ['a cancel', { spec: { cancelled: true } }, 'spec.cancelled', 'cancel'],
      [
        'a play label',
        { metadata: { labels: { [label]: 'bobs-play' } } },
        `metadata.labels["${label}"]`,
        'adopt',
      ],
      ['an owner', { metadata: { ownerReferences: [ownerRef] } }, 'metadata.ownerReferences', 'adopt'],
      [
        'a finalizer',
        { metadata: { finalizers: [CLEANUP, 'bob.example/hold'] } },
        'metadata.finalizers',
        'finalize',
      ],
    ];
    for (const [what, body, field, verb] of controls) {
      const res = await patch('bob', body);
      t.not(res.code, 0, `bob: ${what}: refused`);
      t.match(
        res.stderr,
        `${field}: Forbidden: only the run's submitter "alice", or whoever holds \`${verb}\` on coderuns.orchestrator.io "fix", may change this after creation`,
        `bob: ${what}: the denial names ${field}, alice and the verb`,
      );
      t.match(res.stderr, '"bob" may not', `bob: ${what}: and says what to do`);
    }
    const untouched = await stored();
    t.equal(untouched.spec.contextVersion, 1);
    t.notOk(untouched.spec.cancelled);
    t.notOk(untouched.metadata?.labels?.[label]);
    t.notOk(untouched.metadata?.ownerReferences);
    t.same(untouched.metadata?.finalizers, [CLEANUP]);

    // Alice may change her own run's controls (all but the cancel, kept for carol).
    for (const [what, body] of controls.slice(0, 1).concat(controls.slice(2))) {
      const res = await patch('alice', body);
      t.equal(res.code, 0, `alice: ${what}: ${res.stderr}`);
    }
    const hers = await stored();
    t.equal(hers.spec.contextVersion, 2);
    t.equal(hers.metadata?.labels?.[label], 'bobs-play');
    t.equal(hers.metadata?.ownerReferences?.[0]?.uid, ownerRef.uid);
    t.same(hers.metadata?.finalizers, [CLEANUP, 'bob.example/hold']);
    const released = await patch('alice', { metadata: { finalizers: [CLEANUP], ownerReferences: null } });
    t.equal(released.code, 0, `alice removes her finalizer and owner: ${released.stderr}`);

    // Carol holds admin, whose shipped role carries retry and cancel on runs.
    await waitForPermission(cluster, 'carol', ['retry', 'coderuns.orchestrator.io', '-n', ns]);
    await waitForPermission(cluster, 'carol', ['cancel', 'coderuns.orchestrator.io', '-n', ns]);
    const retried = await patch('carol', { spec: { contextVersion: 3 } });
    t.equal(retried.code, 0, `carol retries: ${retried.stderr}`);
    const cancelled = await patch('carol', { spec: { cancelled: true } });
    t.equal(cancelled.code, 0, `carol cancels: ${cancelled.stderr}`);
    const carols = await stored();
    t.equal(carols.spec.contextVersion, 3);
    t.equal(carols.spec.cancelled, true);
    const adopted = await patch('carol', { metadata: { labels: { [label]: 'carols-play' } } });
    t.not(adopted.code, 0, 'admin carries no adopt: carol may not join the run to her play');

    // Deleting is RBAC's `delete`; the cleanup finalizer then holds the run until the manager (none runs
    // here) removes it. Alice may not: a cluster admin may (`*`).
    const deleted = await kubectl(cluster, ['delete', 'ocr', 'fix', '-n', ns, '--wait=false', '--as=alice']);
    t.equal(deleted.code, 0, deleted.stderr);
    const stripped = await patch('alice', [{ op: 'remove', path: '/metadata/finalizers/0' }], 'json');
    t.not(stripped.code, 0, 'alice may not remove the cleanup finalizer');
    t.match(
      stripped.stderr,
      `metadata.finalizers["${CLEANUP}"]: Forbidden: only the operator's manager, or whoever holds \`finalize\``,
    );
    const byAdmin = await kubectl(cluster, [
      'patch',
      'ocr',
      'fix',
      '-n',
      ns,
      '--type=json',
      '-p',
      JSON.stringify([{ op: 'remove', path: '/metadata/finalizers/0' }]),
    ]);
    t.equal(byAdmin.code, 0, `the cluster admin may: ${byAdmin.stderr}`);
  },
);
