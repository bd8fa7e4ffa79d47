// Whether RBAC allows a user something, asked as them with a SelfSubjectAccessReview (kubectl --as).
// `kubectl auth can-i` cannot ask about a resource no API serves, such as the operator's virtual
// agentprofiles and repositories of orchestrator.io (it would ask about a resource
// "agentprofiles.orchestrator.io" of the core group), which RBAC rules name all the same.
import type { Cluster } from '../../../src/cluster/index.js';
import { kubectl } from './cluster.js';

export interface ReviewedAttributes {
  namespace: string;
  verb: string;
  group: string;
  resource: string;
  name?: string;
}

/** The review as JSON, as the webhook's denial quotes it for a submitter to run. */
export const selfReview = (attributes: ReviewedAttributes): string =>
  JSON.stringify({
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: attributes },
  });

/**
 * Creates `review` (JSON) as `user` (no client-side validation: it would list CRDs, which the user may
 * not): 'true' or 'false' (or kubectl's error, which fails the caller's test). */
export async function reviewAs(cluster: Cluster, user: string, review: string): Promise<string> {
  const res = await kubectl(
    cluster,
    ['create', '--validate=false', '-f', '-', '-o', 'jsonpath={.status.allowed}', `--as=${user}`],
    review,
  );
  return res.code === 0 ? res.stdout.trim() : `kubectl failed: ${res.stderr}`;
}

/** Whether `user` may do what `attributes` say. */
export const allowedTo = async (cluster: Cluster, user: string, attributes: ReviewedAttributes) =>
  (await reviewAs(cluster, user, selfReview(attributes))) === 'true';
