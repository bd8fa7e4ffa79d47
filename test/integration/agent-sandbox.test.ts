// The agent sandbox against the real apiserver: agent pods made by the real Job controller pass its
// PodSecurity admission under `restricted` (and a violating pod is refused there, so enforcement is
// on); they mount no ServiceAccount token unless their agent has clusterAccess, whose account may act
// in its namespace only; and the shipped NetworkPolicies (created for real by the harness, as an
// install does) select exactly the agent pods. No CNI runs here, so nothing enforces the policies:
// what is proven is that the apiserver accepts them and that their selectors match real pods.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import t, { type Test } from 'tap';
import type { CodeRun } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { AGENT_SANDBOX_DIR, inNamespace } from '../../src/cluster/agent-sandbox.js';
import { MODEL_TOKEN_AUDIENCE } from '../../src/gateway/index.js';
import type { KubeClient, KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { applyObjects, kustomize, one } from '../harness/deploy/kustomize.js';
import { httpStatusOf, sampleCodeRun, sampleTaskRun, taskRunPath } from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';

const suite = await reconcileSuite();
const { cluster } = suite;

const RESTRICTED = { 'pod-security.kubernetes.io/enforce': 'restricted' };
const TOKEN_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';

type Volume = {
  name: string;
  projected?: { sources?: Array<{ serviceAccountToken?: { audience?: string } } & Record<string, unknown>> };
};
type PodSpec = {
  serviceAccountName?: string;
  automountServiceAccountToken?: boolean;
  volumes?: Volume[];
  initContainers?: Array<{ name: string; volumeMounts?: Array<{ mountPath: string }> }>;
  containers: Array<{ name: string; volumeMounts?: Array<{ mountPath: string }> }>;
};

const specOf = (pod: KubeObject) => pod.spec as PodSpec;
// A projected token without an audience is the apiserver's; the model-token credential's audience is
// the gateway's alone (src/gateway/model-token-issuer.ts), so it is not counted.
const tokenAudiences = (pod: KubeObject) =>
  (specOf(pod).volumes ?? []).flatMap((v) =>
    (v.projected?.sources ?? []).flatMap((s) =>
      s.serviceAccountToken ? [s.serviceAccountToken.audience ?? 'apiserver'] : [],
    ),
  );
const tokenVolumes = (pod: KubeObject) => tokenAudiences(pod).filter((a) => a !== MODEL_TOKEN_AUDIENCE);
const tokenMounts = (pod: KubeObject) =>
  [...(specOf(pod).initContainers ?? []), ...specOf(pod).containers].flatMap((c) =>
    (c.volumeMounts ?? []).filter((m) => m.mountPath === TOKEN_PATH),
  );

function tessRun(name: string): CodeRun {
  return sampleCodeRun(name, {
    service: 'checkout',
    githubApp: '5DLabs-Tess',
    repositoryUrl: 'https://github.com/acme/checkout.git',
    docsRepositoryUrl: 'https://github.com/acme/checkout-docs.git',
  }) as CodeRun;
}

/** A label selector as the `labelSelector` query parameter writes it. */
function selectorQuery(selector: {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}): string {
  const labels = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const expressions = (selector.matchExpressions ?? []).map((e) => {
    if (e.operator === 'Exists') return e.key;
    if (e.operator === 'DoesNotExist') return `!${e.key}`;
    return `${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`;
  });
  return [...labels, ...expressions].join(',');
}

/** The names of the namespace's pods a NetworkPolicy of the namespace selects, as the apiserver matches them. */
async function selectedPods(client: KubeClient, namespace: string, policy: string): Promise<string[]> {
  const np = await client.request<KubeObject>(
    'GET',
    `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/${policy}`,
  );
  const selector = (np.spec as { podSelector: Parameters<typeof selectorQuery>[0] }).podSelector;
  const list = await client.request<{ items: KubeObject[] }>('GET', `/api/v1/namespaces/${namespace}/pods`, {
    query: { labelSelector: selectorQuery(selector) },
  });
  return list.items.map((p) => p.metadata?.name ?? '').sort();
}

/** Whether the apiserver's authorizer lets `serviceAccount` of `namespace` do it (a SubjectAccessReview). */
async function allowed(
  client: KubeClient,
  namespace: string,
  serviceAccount: string,
  attributes: { verb: string; resource: string; group?: string; namespace: string },
): Promise<boolean> {
  const review = await client.request<{ status: { allowed: boolean } }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: `system:serviceaccount:${namespace}:${serviceAccount}`,
          groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`],
          resourceAttributes: attributes,
        },
      },
    },
  );
  return review.status.allowed;
}

/** A namespace enforcing the restricted standard (with the agent sandbox), and the operator on it. */
async function restrictedOperator(t: Test) {
  const { namespace, client } = await suite.start(t, undefined, { namespaceLabels: RESTRICTED });
  return { namespace, client };
}

t.test(
  'restricted: the agent pod is admitted with no token; a pod breaking the standard is refused',
  async (t) => {
    const { namespace, client } = await restrictedOperator(t);
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('sandboxed') });
    const pod = await runPod(client, 'TaskRun', namespace, 'sandboxed');
    t.equal(specOf(pod).serviceAccountName, 'orchestrator-agent');
    t.equal(specOf(pod).automountServiceAccountToken, false);
    t.same(tokenVolumes(pod), [], 'no token volume the apiserver accepts');
    t.same(
      tokenAudiences(pod),
      [MODEL_TOKEN_AUDIENCE],
      "the model-token credential's, the gateway's audience alone",
    );
    t.same(tokenMounts(pod), [], `nothing mounted at ${TOKEN_PATH}`);

    // The same namespace refuses what the standard forbids: PodSecurity admission is on.
    const err = await client
      .request('POST', `/api/v1/namespaces/${namespace}/pods`, {
        body: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: 'privileged' },
          spec: {
            serviceAccountName: 'orchestrator-agent',
            containers: [{ name: 'c', image: 'busybox:1.36', securityContext: { privileged: true } }],
          },
        },
      })
      .then(
        () => undefined,
        (e: { status?: number; body?: { message?: string } }) => e,
      );
    t.equal(err?.status, 403, 'refused');
    t.match(err?.body?.message, /violates PodSecurity "restricted:latest": privileged/);
  },
);

t.test(
  'clusterAccess (tess): its own account, a token, rights in its namespace only; NetworkPolicies select agent pods',
  async (t) => {
    const { namespace, client } = await restrictedOperator(t);
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('rex') });
    await client.request('POST', runPath('CodeRun', namespace), { body: tessRun('tess') });
    const rex = await runPod(client, 'TaskRun', namespace, 'rex');
    const tess = await runPod(client, 'CodeRun', namespace, 'tess');
    t.equal(specOf(tess).serviceAccountName, 'orchestrator-agent-cluster-access');
    t.equal(specOf(tess).automountServiceAccountToken, true);
    t.equal(tokenVolumes(tess).length, 1, 'the token is projected');
    t.ok(tokenMounts(tess).length > 0, `mounted at ${TOKEN_PATH}`);
    t.equal(tess.metadata?.labels?.['orchestrator.io/cluster-access'], 'true');

    const account = 'orchestrator-agent-cluster-access';
    const here = { verb: 'create', resource: 'deployments', group: 'apps', namespace };
    t.ok(await allowed(client, namespace, account, here), 'tess deploys in its namespace');
    t.notOk(
      await allowed(client, namespace, account, { ...here, namespace: 'kube-system' }),
      'and nowhere else',
    );
    t.notOk(
      await allowed(client, namespace, account, { verb: 'get', resource: 'secrets', namespace }),
      'it reads no Secret',
    );
    t.notOk(
      await allowed(client, namespace, 'orchestrator-agent', { verb: 'list', resource: 'pods', namespace }),
      'the other agents’ account may do nothing',
    );

    // A pod of the namespace that is not an agent's (no orchestrator.io/run): neither policy selects it.
    await client.request('POST', `/api/v1/namespaces/${namespace}/pods`, {
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'web', labels: { 'app.kubernetes.io/managed-by': 'orchestrator' } },
        spec: {
          serviceAccountName: 'orchestrator-agent',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          containers: [
            {
              name: 'web',
              image: 'nginx:1.27',
              securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
            },
          ],
        },
      },
    });
    const names = [rex, tess].map((p) => p.metadata?.name ?? '').sort();
    // Egress by allowlist is on, as shipped: the agent pods carry orchestrator.io/egress, so the
    // policy without the internet and their allowlist's select them, and the egress-off one none.
    t.same(
      await selectedPods(client, namespace, 'orchestrator-agent-proxied'),
      names,
      'every agent pod, only they',
    );
    t.same(
      await selectedPods(client, namespace, 'orchestrator-egress-default'),
      names,
      "and their allowlist's",
    );
    t.same(await selectedPods(client, namespace, 'orchestrator-agent'), [], 'the policy of egress off: none');
    t.same(
      await selectedPods(client, namespace, 'orchestrator-agent-cluster-access'),
      [tess.metadata?.name],
      'the cluster-access policy: tess only',
    );
    t.comment(
      'no CNI runs on the local cluster: the policies are accepted and select, nothing enforces them',
    );
  },
);

t.test('the agent NetworkPolicy denies the cluster CIDRs an overlay gives it', async (t) => {
  // A user's overlay, as docs/install.md shows it, on the shipped directory.
  const dir = mkdtempSync(join(tmpdir(), 'agents-overlay-'));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${relative(dir, join(packageRoot(), AGENT_SANDBOX_DIR))}]`,
      'patches:',
      '  - target: { kind: NetworkPolicy, name: orchestrator-agent }',
      '    patch: |-',
      '      - op: replace',
      '        path: /spec/egress/1/to/0/ipBlock/except',
      '        value: [10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 169.254.0.0/16, 203.0.113.0/24]',
      '',
    ].join('\n'),
  );
  const objects = await kustomize(cluster, dir);
  const policy = one(objects, 'NetworkPolicy', 'orchestrator-agent');
  const spec = policy.spec as { egress: Array<{ to: Array<{ ipBlock?: { except?: string[] } }> }> };
  t.match(spec.egress[1]?.to[0]?.ipBlock?.except, ['10.0.0.0/8', /./, /./, /./, '203.0.113.0/24']);
  const namespace = await suite.namespace(t);
  const applied = await applyObjects(cluster, inNamespace(objects, namespace), { dryRun: true });
  t.equal(applied.code, 0, applied.stderr);
  const client = suite.admin(t);
  const shipped = client.request(
    'GET',
    `/apis/networking.k8s.io/v1/namespaces/${namespace}/networkpolicies/orchestrator-agent`,
  );
  t.equal(await httpStatusOf(shipped), 200, 'the shipped policy is in every namespace of runs');
});
