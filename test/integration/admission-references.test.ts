// Submitter authorisation of references against the real apiserver and real RBAC: a ServiceAccount
// allowed only to create CodeRuns (and to read one named Secret, use one claim, the profile rex and
// acme's repositories; and the built-in view role, whose `get` on claims is not the right to write
// one) creates runs with kubectl --as; the webhooks ask RBAC about it with
// SubjectAccessReviews made as the orchestrator ServiceAccount holding only config/rbac's REST API
// ClusterRole (recorded: that role allows them). A run naming a Secret, a
// ServiceAccount, a claim or a GitHub user's Secret it may not use is refused, naming the field, the
// object and the permission it needs (`kubectl auth can-i`), not which user lacks it: this apiserver
// presents no client certificate, so the webhook cannot tell it from anyone posting a review
// (webhook-client-cert.test.ts has the detail through one that does). The same runs by the cluster's
// admin are admitted.
import t from 'tap';
import { stringify } from 'yaml';
import { serviceAccountUser } from '../../src/app/service-account.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { permission } from '../harness/clients/recording-client.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { difference, granted } from '../harness/deploy/rbac.js';
import { sampleCodeRun } from '../harness/operator/operator.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';

const cluster = await testCluster();
await ensureCrds(cluster);

/** A CodeRun manifest; a null in `spec` leaves the field out. */
const codeRun = (name: string, spec: Record<string, unknown>) =>
  stringify(sampleCodeRun(name, spec)).replace(/^ {4}\w+: null\n/gm, '');

t.test('a submitter may make a run use only what RBAC lets it use; an admin may use it all', async (t) => {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const reviews = await identityClient(t, cluster, identity);
  const webhooks = await startTestWebhooks(t, cluster, { reviews });
  const ns = await routedNamespace(t, cluster, webhooks);
  const pm = serviceAccountUser({ namespace: ns, name: 'pm' });
  const role = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'pm', namespace: ns },
    rules: [
      { apiGroups: ['orchestrator.io'], resources: ['coderuns'], verbs: ['create'] },
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['shared-config'], verbs: ['get'] },
      // Another's workspace: the virtual use of orchestrator.io (docs/security.md).
      {
        apiGroups: ['orchestrator.io'],
        resources: ['persistentvolumeclaims'],
        resourceNames: ['shared-data'],
        verbs: ['use'],
      },
      // The profile and App repositories of these runs (run-authorisation-profiles.test.ts refuses them).
      {
        apiGroups: ['orchestrator.io'],
        resources: ['agentprofiles'],
        resourceNames: ['rex'],
        verbs: ['use'],
      },
      {
        apiGroups: ['orchestrator.io'],
        resources: ['repositories'],
        resourceNames: ['github.com/acme/*'],
        verbs: ['use'],
      },
    ],
  };
  const applied = await applyObjects(cluster, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'pm', namespace: ns } },
    role as KubeObject,
    // And the built-in view role: `get` on every claim, which is not the right to write one.
    ...(['Role', 'ClusterRole'] as const).map(
      (kind): KubeObject => ({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: kind === 'Role' ? 'pm' : 'pm-view', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind, name: kind === 'Role' ? 'pm' : 'view' },
        subjects: [{ kind: 'ServiceAccount', name: 'pm', namespace: ns }],
      }),
    ),
  ]);
  t.equal(applied.code, 0, applied.stderr);
  await waitForPermission(cluster, pm, ['create', 'coderuns.orchestrator.io', '-n', ns]);
  await waitForPermission(cluster, pm, ['get', 'persistentvolumeclaims/billing-data', '-n', ns]);
  const create = (manifest: string, as?: string) =>
    kubectl(cluster, ['create', '-n', ns, '-f', '-', ...(as ? [`--as=${as}`] : [])], manifest);
  const canI = (what: string) => `kubectl auth can-i ${what} -n ${ns}`;

  const refused: [name: string, spec: Record<string, unknown>, expected: string[]][] = [
    [
      'secret',
      { envFromSecrets: [{ name: 'DB_PASSWORD', secretName: 'db-password', secretKey: 'password' }] },
      [`spec.envFromSecrets[0].secretName: ${canI('get secrets/db-password')}`],
    ],
    [
      'account',
      { serviceAccountName: 'deployer' },
      [
        `spec.serviceAccountName: ${canI('create serviceaccounts/deployer --subresource=token')} (or) ${canI('impersonate serviceaccounts/deployer')}`,
      ],
    ],
    [
      'claim',
      { workspace: { pvcName: 'billing-data' } },
      [
        `spec.workspace.pvcName: echo '{"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview","spec":{"resourceAttributes":{"namespace":"${ns}","verb":"use","group":"orchestrator.io","resource":"persistentvolumeclaims","name":"billing-data"}}}'`,
        ` (or) ${canI('create pods')}`,
      ],
    ],
    [
      'github-user',
      { githubApp: null, githubUser: 'alice' },
      [`spec.githubUser: ${canI('get secrets/github-pat-alice')}`],
    ],
  ];
  for (const [name, spec, expected] of refused) {
    const res = await create(codeRun(name, spec), pm);
    t.not(res.code, 0, `${name}: refused`);
    t.match(res.stderr, new RegExp(`CodeRun\\.orchestrator\\.io "${name}" is forbidden: `), name);
    // A string pattern matches as a substring.
    for (const part of expected) t.match(res.stderr, part, `${name}: ${part}`);
    t.match(res.stderr, /correlation id [0-9a-f]{12}/, `${name}: the log's correlation id`);
    t.notMatch(
      res.stderr,
      `User "${pm}"`,
      `${name}: whom RBAC refused is not said to an unauthenticated caller`,
    );
  }
  const annotated = await create(
    codeRun('apparmor', {
      podAnnotations: { 'container.apparmor.security.beta.kubernetes.io/agent': 'unconfined' },
    }),
    pm,
  );
  t.match(annotated, {
    code: 1,
    stderr:
      /spec\.podAnnotations\["container\.apparmor\.security\.beta\.kubernetes\.io\/agent"\]: Forbidden: .* is not an annotation runs may set/,
  });
  t.equal((await kubectl(cluster, ['get', 'ocr', '-n', ns, '-o', 'name'])).stdout, '', 'nothing was stored');

  const own = await create(
    codeRun('own', { envFromSecrets: [{ name: 'CONFIG', secretName: 'shared-config', secretKey: 'c' }] }),
    pm,
  );
  t.equal(own.code, 0, `the Secret its Role names by name is admitted: ${own.stderr}`);
  const shared = await create(codeRun('shared', { workspace: { pvcName: 'shared-data' } }), pm);
  t.equal(shared.code, 0, `the claim its Role lets it use is admitted: ${shared.stderr}`);

  for (const [name, spec] of refused) {
    const res = await create(codeRun(name, spec));
    t.equal(res.code, 0, `${name}: the admin's run is admitted: ${res.stderr}`);
  }

  // The webhooks' questions ran as config/rbac's REST API role: allowed, and that is all they asked.
  const used = new Set(reviews.requests.map((r) => permission(r)));
  t.same(reviews.forbidden, [], 'no SubjectAccessReview was forbidden');
  t.same([...used], ['create authorization.k8s.io/subjectaccessreviews']);
  t.same(difference(used, granted(identity.rules)), [], 'config/rbac grants it');
});
