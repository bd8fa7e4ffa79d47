// What `orchestrator doctor` and a starting manager give the checks (src/doctor): the package's own
// manifests read as files (no kustomize: the manager's image has no kubectl), the runs' namespaces
// from the config, and how the manager's permissions are asked: a SubjectAccessReview for its
// ServiceAccount from the command, the manager's own SelfSubjectAccessReview at its start.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ControllerConfig } from '../api/index.js';
import { AGENT_SANDBOX_DIR, parseManifests } from '../cluster/index.js';
import type { AccessAttributes, DoctorContext } from '../doctor/index.js';
import type { ApiRequester, KubeObject } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import { MANAGER_SERVICE_ACCOUNT, serviceAccountUser } from './service-account.js';

/** A directory's objects: the files its kustomization lists, else its *.yaml files. */
export function manifestsOf(relativeDir: string): KubeObject[] {
  const dir = join(packageRoot(), relativeDir);
  const kustomization = ['kustomization.yaml', 'Kustomization'].map((f) => join(dir, f)).find(existsSync);
  const files = kustomization
    ? ((parse(readFileSync(kustomization, 'utf8')) as { resources?: string[] }).resources ?? []).filter((r) =>
        r.endsWith('.yaml'),
      )
    : readdirSync(dir)
        .filter((f) => f.endsWith('.yaml'))
        .sort();
  return files.flatMap((f) => parseManifests(readFileSync(join(dir, f), 'utf8'), join(relativeDir, f)));
}

/** The namespaces of runs a check can look into: the config's fixed list, else `fallback`'s. */
export const runNamespacesOf = (config: ControllerConfig, fallback: readonly string[]): string[] =>
  config.watchNamespaces ?? (config.watchNamespace ? [config.watchNamespace] : [...fallback]);

/** One access review of `kind` (SubjectAccessReview or SelfSubjectAccessReview): its answer. */
async function review(
  client: ApiRequester,
  kind: 'SubjectAccessReview' | 'SelfSubjectAccessReview',
  spec: Record<string, unknown>,
): Promise<boolean> {
  const answer = await client.request<{ status?: { allowed?: boolean } }>(
    'POST',
    `/apis/authorization.k8s.io/v1/${kind.toLowerCase()}s`,
    { body: { apiVersion: 'authorization.k8s.io/v1', kind, spec } },
  );
  return answer.status?.allowed === true;
}

/** Asks for the manager's ServiceAccount (the caller needs `create subjectaccessreviews`). */
export const reviewFor =
  (client: ApiRequester, sa: { namespace: string; name: string }) =>
  (attrs: AccessAttributes): Promise<boolean> =>
    review(client, 'SubjectAccessReview', {
      user: serviceAccountUser(sa),
      groups: ['system:serviceaccounts', `system:serviceaccounts:${sa.namespace}`, 'system:authenticated'],
      resourceAttributes: attrs,
    });

/** Asks for whoever the client is (any authenticated user may). */
export const reviewSelf =
  (client: ApiRequester) =>
  (attrs: AccessAttributes): Promise<boolean> =>
    review(client, 'SelfSubjectAccessReview', { resourceAttributes: attrs });

export interface DoctorContextInput {
  client: ApiRequester;
  config: ControllerConfig;
  namespace: string;
  runNamespaces: readonly string[];
  serviceAccount?: { namespace: string; name: string };
  can: (attrs: AccessAttributes) => Promise<boolean>;
  atStart: boolean;
  github?: DoctorContext['github'];
}

export function doctorContext(input: DoctorContextInput): DoctorContext {
  return {
    ...input,
    serviceAccount: input.serviceAccount ?? { ...MANAGER_SERVICE_ACCOUNT, namespace: input.namespace },
    shipped: {
      crds: manifestsOf('crds'),
      webhooks: manifestsOf('webhooks'),
      rbac: manifestsOf('config/rbac'),
      sandbox: manifestsOf(AGENT_SANDBOX_DIR),
    },
    now: new Date(),
  };
}
