// The manager's identity: the orchestrator ServiceAccount (config/rbac). In a pod the in-cluster
// config authenticates as it; in local mode and in the RBAC test a token from the TokenRequest API
// does, so a permission missing from config/rbac fails there as it would in a cluster.
import type { Logger } from 'pino';
import { KubeConfig } from '../kubeconfig/index.js';
import { type ApiRequester, type KubeClient, type ResourceType, resourcePath } from '../runtime/index.js';

export interface ServiceAccountRef {
  namespace: string;
  name: string;
}

const SERVICE_ACCOUNTS: ResourceType = {
  group: '',
  version: 'v1',
  plural: 'serviceaccounts',
  kind: 'ServiceAccount',
};

/** The ServiceAccount of config/rbac. */
export const MANAGER_SERVICE_ACCOUNT: Readonly<ServiceAccountRef> = Object.freeze({
  namespace: 'orchestrator-system',
  name: 'orchestrator',
});

/** `system:serviceaccount:{namespace}:{name}`, the user name the apiserver gives a ServiceAccount. */
export const serviceAccountUser = (sa: ServiceAccountRef): string =>
  `system:serviceaccount:${sa.namespace}:${sa.name}`;

/** 30 days: longer than a local session, which ends with its control plane. */
const TOKEN_SECONDS = 30 * 24 * 3600;

/**
 * A token for `sa` from the TokenRequest API (what `kubectl create token` asks for), for the
 * apiserver's own audience, valid for `expirationSeconds` (the apiserver may shorten it).
 */
export async function serviceAccountToken(
  client: ApiRequester,
  sa: ServiceAccountRef,
  expirationSeconds = TOKEN_SECONDS,
  audiences?: string[],
): Promise<string> {
  const spec = { expirationSeconds, ...(audiences ? { audiences } : {}) };
  const answer = await client.request<{ status?: { token?: string } }>(
    'POST',
    `${resourcePath(SERVICE_ACCOUNTS, sa.namespace, sa.name)}/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } },
  );
  const token = answer.status?.token;
  if (!token) throw new Error(`TokenRequest for ${serviceAccountUser(sa)}: the answer holds no token`);
  return token;
}

/** `admin`'s current cluster (server and CA), authenticated with `token` instead of its user. */
export function tokenKubeConfig(admin: KubeConfig, token: string, user: string): KubeConfig {
  const cluster = admin.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [cluster],
    users: [{ name: user, token }],
    contexts: [{ name: user, cluster: cluster.name, user }],
    currentContext: user,
  });
  return kc;
}

/** The user name the apiserver sees for `client`'s credentials (a SelfSubjectReview). */
export async function authenticatedUser(client: KubeClient): Promise<string> {
  const review = await client.request<{ status?: { userInfo?: { username?: string } } }>(
    'POST',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' } },
  );
  return review.status?.userInfo?.username ?? '';
}

/**
 * The user names trusted to state a run's submitter: the manager's own, as the apiserver sees it. Not
 * known (the SelfSubjectReview failed): none, so a run the REST API creates names the manager.
 */
export async function managerIdentity(client: KubeClient, logger: Logger): Promise<ReadonlySet<string>> {
  try {
    const user = await authenticatedUser(client);
    logger.info({ user }, 'manager client authenticated');
    return new Set(user ? [user] : []);
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'the manager could not learn its own user name: runs made through the REST API will name the manager as their submitter',
    );
    return new Set();
  }
}
