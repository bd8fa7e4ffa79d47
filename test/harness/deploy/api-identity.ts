// The orchestrator ServiceAccount with only config/rbac's REST API ClusterRole (what the REST API and
// the webhooks' SubjectAccessReviews run as), moved into a test's namespace: its client records every
// request, so a test proves the role allows what that code does (rest-api.test.ts: exactly).
import { join } from 'node:path';
import type { Test } from 'tap';
import {
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from '../../../src/app/service-account.js';
import { withClient } from '../../../src/cluster/apply.js';
import type { Cluster } from '../../../src/cluster/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { RecordingClient } from '../clients/recording-client.js';
import { kubeConfig, kubectl } from '../cluster/cluster.js';
import { waitFor } from '../util/wait.js';
import { applyObjects, kustomize, ofKind } from './kustomize.js';
import { isolated, type Rule } from './rbac.js';

export interface ApiIdentity {
  sa: { namespace: string; name: string };
  user: string;
  /** The ClusterRole's rules. */
  rules: Rule[];
}

/** config/rbac's REST API ClusterRole and binding, for the ServiceAccount `orchestrator` in `home`. */
export async function apiIdentity(t: Test, cluster: Cluster, home: string): Promise<ApiIdentity> {
  const rbac = await kustomize(cluster, join(packageRoot(), 'config', 'rbac'));
  const objects = isolated(
    [
      ...ofKind(rbac, 'ServiceAccount'),
      ...ofKind(rbac, 'ClusterRole', 'orchestrator-api'),
      ...ofKind(rbac, 'ClusterRoleBinding', 'orchestrator-api'),
    ],
    home,
  );
  const applied = await applyObjects(cluster, objects);
  t.equal(applied.code, 0, applied.stderr);
  t.teardown(() =>
    kubectl(cluster, [
      'delete',
      '--ignore-not-found',
      `clusterrole/orchestrator-api-${home}`,
      `clusterrolebinding/orchestrator-api-${home}`,
    ]),
  );
  const sa = { namespace: home, name: 'orchestrator' };
  const user = serviceAccountUser(sa);
  const rules = (ofKind(objects, 'ClusterRole')[0]?.rules ?? []) as Rule[];
  return { sa, user, rules };
}

/** A client acting as `identity` (a TokenRequest token), recording every request; closed after `t`. */
export async function identityClient(
  t: Test,
  cluster: Cluster,
  identity: ApiIdentity,
): Promise<RecordingClient> {
  await waitForPermission(cluster, identity.user, ['create', 'subjectaccessreviews.authorization.k8s.io']);
  const token = await withClient(kubeConfig(cluster), (c) => serviceAccountToken(c, identity.sa, 3600));
  const client = new RecordingClient(tokenKubeConfig(kubeConfig(cluster), token, identity.user), new Map());
  t.teardown(() => client.close());
  return client;
}

/**
 * Waits until RBAC allows `user` what `kubectl auth can-i` is asked (`['create', 'coderuns', '-n', ns]`).
 * A kubectl a second, for up to three minutes: a kubectl every 50 ms loads a busy machine more than
 * the apiserver's RBAC informer needs time.
 */
export async function waitForPermission(cluster: Cluster, user: string, canI: string[]): Promise<void> {
  await waitFor(
    `RBAC to allow ${user} to ${canI.join(' ')}`,
    async () => {
      const can = await kubectl(cluster, ['auth', 'can-i', ...canI, `--as=${user}`]);
      return can.stdout.trim() === 'yes';
    },
    { intervalMs: 1000, timeoutMs: 180_000 },
  );
}
