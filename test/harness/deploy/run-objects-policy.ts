// config/admission-policy on the shared control plane, scoped to one test's namespaces: the policy
// and its binding renamed after the namespace, the binding's namespaceSelector that namespace only, and
// the test's manager as the policy's `manager` (as the chart sets its release's). Other test files'
// objects, in their own namespaces, are never judged by it.
import { join } from 'node:path';
import type { Cluster } from '../../../src/cluster/index.js';
import { isNotFound, type KubeClient, type KubeObject } from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { kustomize, one } from './kustomize.js';

const GROUP_PATH = '/apis/admissionregistration.k8s.io/v1';
const PLURALS: Record<string, string> = {
  ValidatingAdmissionPolicy: 'validatingadmissionpolicies',
  ValidatingAdmissionPolicyBinding: 'validatingadmissionpolicybindings',
};

interface Spec {
  variables?: Array<{ name: string; expression: string }>;
  [field: string]: unknown;
}

/** The shipped policy's name (the apiserver's refusals name it). */
export const RUN_OBJECTS_POLICY = 'orchestrator-run-objects';

/** The shipped policy and binding, bound in `namespace` only, with `manager` as the manager's user name. */
export async function scopedRunObjectsPolicy(
  cluster: Cluster,
  namespace: string,
  manager: string,
): Promise<KubeObject[]> {
  const shipped = await kustomize(cluster, join(packageRoot(), 'config', 'admission-policy'));
  const name = `${RUN_OBJECTS_POLICY}-${namespace}`;
  const policy = one(shipped, 'ValidatingAdmissionPolicy', RUN_OBJECTS_POLICY) as KubeObject & { spec: Spec };
  const binding = one(shipped, 'ValidatingAdmissionPolicyBinding', RUN_OBJECTS_POLICY) as KubeObject & {
    spec: Spec;
  };
  const variables = (policy.spec.variables ?? []).map((v) =>
    v.name === 'manager' ? { ...v, expression: `'${manager}'` } : v,
  );
  return [
    { ...policy, metadata: { ...policy.metadata, name }, spec: { ...policy.spec, variables } },
    {
      ...binding,
      metadata: { ...binding.metadata, name },
      spec: {
        ...binding.spec,
        policyName: name,
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': namespace } } },
      },
    },
  ];
}

/** Creates `objects` (the policy, then its binding), deleted at the test's end. */
export async function installPolicy(
  t: { teardown(fn: () => unknown): void },
  admin: KubeClient,
  objects: KubeObject[],
): Promise<void> {
  for (const o of objects) {
    const plural = PLURALS[o.kind ?? ''];
    if (!plural) throw new Error(`not an admission policy object: ${o.kind}`);
    await admin.request('POST', `${GROUP_PATH}/${plural}`, { body: o });
    t.teardown(() =>
      admin.request('DELETE', `${GROUP_PATH}/${plural}/${o.metadata?.name}`).catch((err) => {
        if (!isNotFound(err)) throw err;
      }),
    );
  }
}
