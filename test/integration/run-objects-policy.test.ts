// The admission policy of config/admission-policy (decision 0073; issue #74 item 1) on the real
// kube-apiserver: bob, a ServiceAccount bound to the built-in `edit` role in the namespace of runs and
// nothing else, can make a Job, ConfigMap or Pod there, but none that carries the operator's
// managed-by label or a controller reference to a run, nor add to or take away from one the manager
// made; the manager (its ServiceAccount, as the policy names it) can. The policy is the shipped one,
// bound in this file's namespace only (the control plane is shared with other files).
import t, { type Test } from 'tap';
import { API_VERSION, LABELS, MANAGED_BY } from '../../src/api/index.js';
import {
  CONFIGMAPS,
  isForbidden,
  JOBS,
  KubeClient,
  type KubeObject,
  PODS,
  type ResourceType,
  resourcePath,
} from '../../src/runtime/index.js';
import { kubeConfig, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import {
  installPolicy,
  RUN_OBJECTS_POLICY,
  scopedRunObjectsPolicy,
} from '../harness/deploy/run-objects-policy.js';
import { serviceAccountClient } from '../harness/operator/service-account-client.js';
import { REQUEST_LIMIT_MS, scaled, waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
t.teardown(() => admin.close());

const runs = await testNamespace(t, cluster);
const home = await testNamespace(t, cluster);
const bob = await serviceAccountClient(t, cluster, admin, {
  home: runs,
  name: 'bob',
  role: 'edit',
  namespaces: [runs],
});
const manager = await serviceAccountClient(t, cluster, admin, {
  home,
  name: 'orchestrator',
  role: 'edit',
  namespaces: [runs],
});

const MARKED = { [LABELS.managedBy]: MANAGED_BY };
/** A controller reference to a run; admission never looks the run up. */
const RUN_OWNER = {
  apiVersion: API_VERSION,
  kind: 'TaskRun',
  name: 'alice-run',
  uid: '6b0c3b8e-2f43-4f0e-9a53-6f1f0a3e7c11',
  controller: true,
};

type Marks = { labels?: Record<string, string>; ownerReferences?: (typeof RUN_OWNER)[] };

function configMap(name: string, marks: Marks = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, ...marks }, data: { a: 'b' } };
}

const podSpec = { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'docker.io/bob/steal' }] };

/** Suspended: no pod is made of it (its pods are the Job controller's, an admin here). */
function job(name: string, marks: Marks = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, ...marks },
    spec: { suspend: true, template: { metadata: { labels: marks.labels }, spec: podSpec } },
  };
}

function pod(name: string, marks: Marks = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...marks }, spec: podSpec };
}

const resourceOf: Record<string, ResourceType> = { Job: JOBS, ConfigMap: CONFIGMAPS, Pod: PODS };
const create = (client: KubeClient, o: KubeObject, query: Record<string, string> = {}) =>
  client.request<KubeObject>('POST', resourcePath(resourceOf[o.kind ?? ''] as ResourceType, runs), {
    body: o,
    query,
  });
const patch = (client: KubeClient, o: KubeObject, body: object, subresource = '') =>
  client.request<KubeObject>(
    'PATCH',
    `${resourcePath(resourceOf[o.kind ?? ''] as ResourceType, runs, o.metadata?.name)}${subresource}`,
    { body, contentType: 'application/strategic-merge-patch+json' },
  );

/** A Role on pods/ephemeralcontainers in the namespace of runs, bound to `user` (a ServiceAccount of it). */
async function grantEphemeralContainers(user: string): Promise<void> {
  const rbac = `/apis/rbac.authorization.k8s.io/v1/namespaces/${runs}`;
  await admin.request('POST', `${rbac}/roles`, {
    body: {
      metadata: { name: 'debugger' },
      rules: [{ apiGroups: [''], resources: ['pods/ephemeralcontainers'], verbs: ['patch', 'update'] }],
    },
  });
  await admin.request('POST', `${rbac}/rolebindings`, {
    body: {
      metadata: { name: 'debugger' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'debugger' },
      subjects: [{ kind: 'User', name: user }],
    },
  });
}

const policyName = `${RUN_OBJECTS_POLICY}-${runs}`;
const refusal = (kind: string) =>
  new RegExp(
    `ValidatingAdmissionPolicy '${policyName}' .*denied request: only the orchestrator manager may create or change a ${kind} that carries the orchestrator's managed-by label or a controller reference to a run`,
  );

/** The apiserver's answer to `request`: refused (403) by the policy, naming the kind and the rule. */
async function refused(t: Test, what: string, kind: string, request: Promise<unknown>) {
  const err = await request.then(
    () => undefined,
    (e: Error) => e,
  );
  t.ok(isForbidden(err), `${what}: refused (${err?.message ?? 'accepted'})`);
  t.match(err?.message, refusal(kind), `${what}: the message names the rule`);
}

t.test(
  'without the policy, edit alone lets bob dress a ConfigMap as the operator’s (the attack)',
  async (t) => {
    const made = await create(bob.client, configMap('dressed', { labels: MARKED }), { dryRun: 'All' });
    t.equal(made.metadata?.labels?.[LABELS.managedBy], MANAGED_BY, 'RBAC alone does not stop it');
  },
);

t.test('with the policy', async (t) => {
  await installPolicy(t, admin, await scopedRunObjectsPolicy(cluster, runs, manager.user));
  // The apiserver loads policies from its informer: in force once a probe is refused.
  await waitFor(
    'the policy in force',
    () =>
      create(bob.client, configMap('probe', { labels: MARKED }), { dryRun: 'All' }).then(
        () => undefined,
        (e: Error) => (refusal('ConfigMap').test(e.message) ? true : undefined),
      ),
    { timeoutMs: scaled(60_000) },
  );

  t.test("bob cannot create what carries the operator's label or a run's controller reference", async (t) => {
    for (const make of [job, configMap, pod]) {
      const labelled = make('labelled', { labels: MARKED });
      await refused(t, `a labelled ${labelled.kind}`, labelled.kind ?? '', create(bob.client, labelled));
      const owned = make('owned', { ownerReferences: [RUN_OWNER] });
      await refused(t, `a ${owned.kind} controlled by a run`, owned.kind ?? '', create(bob.client, owned));
    }
  });

  t.test('bob creates and changes objects that carry neither', async (t) => {
    const own = await create(bob.client, configMap('bobs', { labels: { team: 'bob' } }));
    t.ok(own.metadata?.uid, 'his ConfigMap');
    const relabelled = await patch(bob.client, own, { metadata: { labels: { more: 'yes' } } });
    t.equal(relabelled.metadata?.labels?.more, 'yes', 'and a change to it');
    const notController = { ...RUN_OWNER, controller: false };
    const owned = await create(bob.client, job('bobs-job', { ownerReferences: [notController] }));
    t.ok(
      owned.metadata?.uid,
      "his Job with a run as owner but not as controller: the seal's concern, not this one's",
    );
  });

  t.test("the manager creates and changes them; bob cannot change or undress the manager's", async (t) => {
    const made: KubeObject[] = [];
    // No owner reference to RUN_OWNER here: no such run exists, so the garbage collector would delete
    // the Job while the test reads it. The label alone puts it under the policy.
    for (const o of [
      configMap('agent-shell', { labels: MARKED }),
      job('alice-run-1', { labels: MARKED }),
      pod('alice-run-1-x', { labels: MARKED }),
    ]) {
      const created = await create(manager.client, o);
      t.ok(created.metadata?.uid, `the manager creates its ${o.kind}`);
      const changed = await patch(manager.client, created, { metadata: { labels: { step: '2' } } });
      t.equal(changed.metadata?.labels?.step, '2', `and changes it`);
      made.push(created);
    }
    for (const o of made) {
      const kind = o.kind ?? '';
      await refused(
        t,
        `bob labels the ${kind}`,
        kind,
        patch(bob.client, o, { metadata: { labels: { x: 'y' } } }),
      );
      await refused(
        t,
        `bob removes the managed-by label from the ${kind}`,
        kind,
        patch(bob.client, o, { metadata: { labels: { [LABELS.managedBy]: null } } }),
      );
    }
    const configMapNow = await admin.request<KubeObject>(
      'GET',
      resourcePath(CONFIGMAPS, runs, made[0]?.metadata?.name),
    );
    t.same(
      configMapNow.metadata?.labels,
      { ...MARKED, step: '2' },
      "the manager's ConfigMap is as it made it",
    );
    // `edit` grants no ephemeral containers: bob is given them, as a debugging Role would.
    await grantEphemeralContainers(bob.user);
    const target = made[2] as KubeObject;
    const peek = () =>
      patch(
        bob.client,
        target,
        { spec: { ephemeralContainers: [{ name: 'peek', image: 'docker.io/bob/steal' }] } },
        '/ephemeralcontainers',
      );
    // RBAC's informer takes the Role in a moment; until then RBAC refuses, not the policy.
    await waitFor('the Role in force', () =>
      peek().then(
        () => true,
        (e: Error) => (/cannot patch resource/.test(e.message) ? undefined : true),
      ),
    );
    await refused(t, "bob adds an ephemeral container to the manager's pod", 'Pod', peek());
  });
});
