// Images, placement and size are the platform's (issue 33 items 4 and 5), against the real apiserver and
// real RBAC: a ServiceAccount allowed only to create CodeRuns creates them with kubectl --as. With the
// shipped config it is refused an image nobody allowed, tolerate-all, system-node-critical, a GPU and a
// 64Ti workspace, each refusal naming the field and what would allow it (a config key, or the
// permission to check with `kubectl auth can-i`). Under a config that opens them, with a Role granting
// `use` of the image's repository and a ClusterRole `use` of the PriorityClass, the same runs are
// admitted; without the PriorityClass grant the opened class is still refused, naming the permission.
import t, { type Test } from 'tap';
import type { ControllerConfig } from '../../src/api/index.js';
import { serviceAccountUser } from '../../src/app/service-account.js';
import { configFrom, loadDefaultConfig } from '../../src/config/load.js';
import type { KubeObject } from '../../src/runtime/index.js';
import { kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { sampleCodeRun } from '../harness/operator/operator.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';
import { waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);

const ATTACKER_IMAGE = 'docker.io/attacker/anything:1';

/** What a run may widen, one field each. */
const WIDENING: [name: string, spec: Record<string, unknown>][] = [
  ['image', { image: ATTACKER_IMAGE }],
  ['tolerate-all', { podTemplate: { tolerations: [{ operator: 'Exists' }] } }],
  ['node-critical', { podTemplate: { priorityClassName: 'system-node-critical' } }],
  ['gpu', { resources: { requests: { 'nvidia.com/gpu': '8' }, limits: { 'nvidia.com/gpu': '8' } } }],
  ['huge-workspace', { workspace: { size: '64Ti' } }],
];

const shipped = loadDefaultConfig();
/** The platform opens each field to runs (the image needs a grant all the same). */
const opened = configFrom({
  ...shipped,
  job: {
    ...shipped.job,
    runPodTemplate: { tolerateAll: true, priorityClassNames: ['system-node-critical'] },
    maxResources: { 'nvidia.com/gpu': '8' },
  },
  workspace: { ...shipped.workspace, maxSize: '64Ti' },
});

/**
 * A namespace routed to webhooks judging by `config` (their SubjectAccessReviews made as the operator's
 * REST identity, as in admission-references.test.ts), with a ServiceAccount allowed only to create CodeRuns.
 */
async function submitterUnder(t: Test, config: ControllerConfig) {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const reviews = await identityClient(t, cluster, identity);
  const ns = await routedNamespace(t, cluster, await startTestWebhooks(t, cluster, { config, reviews }));
  const pm = serviceAccountUser({ namespace: ns, name: 'pm' });
  const applied = await applyObjects(cluster, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'pm', namespace: ns } },
    // Creating runs, with the ordinary profile and its App's repositories (run-authorisation-profiles.test.ts
    // judges those): what is left to judge here is the image, the placement and the size.
    role('Role', 'pm', ns, [
      { apiGroups: ['orchestrator.io'], resources: ['coderuns'], verbs: ['create'] },
      {
        apiGroups: ['orchestrator.io'],
        resources: ['agentprofiles'],
        resourceNames: ['rex'],
        verbs: ['use'],
      },
      { apiGroups: ['orchestrator.io'], resources: ['repositories'], verbs: ['use'] },
    ]),
    binding('RoleBinding', 'pm', ns, 'Role'),
  ]);
  t.equal(applied.code, 0, applied.stderr);
  await waitForPermission(cluster, pm, ['create', 'coderuns.orchestrator.io', '-n', ns]);
  const create = (name: string, spec: Record<string, unknown>) =>
    kubectl(
      cluster,
      ['create', '-n', ns, '-f', '-', `--as=${pm}`],
      JSON.stringify(sampleCodeRun(name, spec)),
    );
  return { ns, pm, create };
}

/** The SelfSubjectAccessReview a withheld denial lists for `use images/<name>` (kubectl cannot resolve it). */
const imageReview = (ns: string, name: string) =>
  JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: {
      resourceAttributes: { namespace: ns, verb: 'use', group: 'orchestrator.io', resource: 'images', name },
    },
  });

const role = (kind: string, name: string, ns: string | undefined, rules: unknown[]) =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(ns ? { namespace: ns } : {}) },
    rules,
  }) as KubeObject;

/** Binds `pm` of `ns` to the role of that name (a ClusterRoleBinding when `kind` says so). */
const binding = (kind: string, name: string, ns: string, roleKind: string) =>
  ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind,
    metadata: { name, ...(kind === 'RoleBinding' ? { namespace: ns } : {}) },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name },
    subjects: [{ kind: 'ServiceAccount', name: 'pm', namespace: ns }],
  }) as KubeObject;

t.test('the shipped config: each widening refused, naming the field and what would allow it', async (t) => {
  const { ns, create } = await submitterUnder(t, shipped);
  const expected: Record<string, string[]> = {
    image: [
      `spec.image: echo '${imageReview(ns, ATTACKER_IMAGE)}'`,
      `(or) echo '${imageReview(ns, 'docker.io/attacker/anything')}'`,
    ],
    'tolerate-all': [
      "spec.podTemplate.tolerations: Forbidden: where the agent's pod runs is the platform's: the controller config lets runs set no tolerations (job.runPodTemplate.tolerationKeys (or job.runPodTemplate.tolerateAll) would allow it)",
    ],
    'node-critical': [
      "spec.podTemplate.priorityClassName: Forbidden: where the agent's pod runs is the platform's: the controller config lets runs set no priorityClassName (job.runPodTemplate.priorityClassNames would allow it)",
    ],
    gpu: [
      'spec.resources.requests["nvidia.com/gpu"]: Forbidden: the agent has no "nvidia.com/gpu" and no maximum allows runs to ask for it (agents.rex.maxResources or job.maxResources would allow it)',
      'spec.resources.limits["nvidia.com/gpu"]: Forbidden',
    ],
    'huge-workspace': [
      'spec.workspace.size: Forbidden: "64Ti" exceeds "10Gi", the largest workspace runs may ask for (workspace.maxSize, default workspace.size); a larger workspace.maxSize would allow it',
    ],
  };
  for (const [name, spec] of WIDENING) {
    const res = await create(name, spec);
    t.not(res.code, 0, `${name}: refused`);
    // A string pattern matches as a substring.
    for (const part of expected[name] ?? []) t.match(res.stderr, part, `${name}: ${part}`);
  }
  t.equal((await kubectl(cluster, ['get', 'ocr', '-n', ns, '-o', 'name'])).stdout, '', 'nothing was stored');
  const narrower = await create('narrower', {
    resources: { requests: { cpu: '100m' } },
    workspace: { size: '1Gi' },
  });
  t.equal(narrower.code, 0, `asking for less than the profile gives is admitted: ${narrower.stderr}`);
});

t.test('a config that opens the fields and RBAC grants: the same runs are admitted', async (t) => {
  const { ns, pm, create } = await submitterUnder(t, opened);
  // Opened by the config, but a PriorityClass and an image still need the submitter's `use`.
  const image = await create('image', { image: ATTACKER_IMAGE });
  t.match(image.stderr, `spec.image: echo '${imageReview(ns, ATTACKER_IMAGE)}'`);
  const critical = await create('node-critical', {
    podTemplate: { priorityClassName: 'system-node-critical' },
  });
  t.match(
    critical.stderr,
    'spec.podTemplate.priorityClassName: kubectl auth can-i use priorityclasses.scheduling.k8s.io/system-node-critical. ',
    'a cluster-scoped PriorityClass is asked without a namespace',
  );
  const clusterRole = `pm-priority-${ns}`;
  const granted = await applyObjects(cluster, [
    // Every tag of the image's repository, by its name without the tag.
    role('Role', 'pm-images', ns, [
      {
        apiGroups: ['orchestrator.io'],
        resources: ['images'],
        resourceNames: ['docker.io/attacker/anything'],
        verbs: ['use'],
      },
    ]),
    binding('RoleBinding', 'pm-images', ns, 'Role'),
    role('ClusterRole', clusterRole, undefined, [
      {
        apiGroups: ['scheduling.k8s.io'],
        resources: ['priorityclasses'],
        resourceNames: ['system-node-critical'],
        verbs: ['use'],
      },
    ]),
    binding('ClusterRoleBinding', clusterRole, ns, 'ClusterRole'),
  ]);
  t.equal(granted.code, 0, granted.stderr);
  t.teardown(() =>
    kubectl(cluster, [
      'delete',
      '--ignore-not-found',
      `clusterrole/${clusterRole}`,
      `clusterrolebinding/${clusterRole}`,
    ]),
  );
  await waitForPermission(cluster, pm, ['use', 'priorityclasses.scheduling.k8s.io/system-node-critical']);
  // kubectl auth can-i cannot ask about a virtual resource of a group (it finds no such resource and
  // asks about another): a SubjectAccessReview, created as the admin, can.
  await waitFor(
    `RBAC to allow ${pm} to use images "docker.io/attacker/anything"`,
    async () => {
      const review = {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: pm,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${ns}`, 'system:authenticated'],
          resourceAttributes: {
            namespace: ns,
            verb: 'use',
            group: 'orchestrator.io',
            resource: 'images',
            name: 'docker.io/attacker/anything',
          },
        },
      };
      const res = await kubectl(
        cluster,
        ['create', '-f', '-', '-o', 'jsonpath={.status.allowed}'],
        JSON.stringify(review),
      );
      return res.stdout.trim() === 'true';
    },
    { intervalMs: 1000, timeoutMs: 180_000 },
  );
  // The webhook's reviewer caches a denial for 30 s (docs/security.md), and the image and the class were
  // refused just now: each run is tried until admitted, at most the wait's limit.
  for (const [name, spec] of WIDENING) {
    let last = '';
    const admitted = await waitFor(
      `${name}: the run admitted once the grants are seen (the 30 s denial cache expired)`,
      async () => {
        const res = await create(`${name}-granted`, spec);
        last = res.stderr;
        return res.code === 0;
      },
      { intervalMs: 2_000 },
    ).then(
      () => true,
      (err: Error) => `${err.message}: ${last}`,
    );
    t.equal(admitted, true, `${name}: admitted`);
  }
  const other = await create('other-image', { image: 'docker.io/attacker/other:1' });
  t.match(
    other.stderr,
    `spec.image: echo '${imageReview(ns, 'docker.io/attacker/other:1')}'`,
    'the grant is of one repository',
  );
});
