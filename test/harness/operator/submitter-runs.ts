// The world of runs the operator makes on behalf of a configured submitter (an issue's, an alert
// route's): the operator's ServiceAccount with only config/rbac's REST API role, the admission webhooks
// trusting it to state a submitter and asking RBAC as it, a namespace routed to them, and
// ServiceAccounts there as submitters, the first granted `use` of rex and of rex's App on acme/payments
// (what an install grants such a submitter). The runs' cleanup finalizers are released after the test,
// as no controller runs here to release them.
import type { Test } from 'tap';
import { runResource, type TaskRun } from '../../../src/api/index.js';
import { serviceAccountUser } from '../../../src/app/service-account.js';
import type { Cluster } from '../../../src/cluster/index.js';
import type { KubeClient, KubeObject } from '../../../src/runtime/index.js';
import { resourcePath } from '../../../src/runtime/index.js';
import type { RecordingClient } from '../clients/recording-client.js';
import { allowedTo } from '../cluster/access-review.js';
import { testNamespace } from '../cluster/cluster.js';
import { type ApiIdentity, apiIdentity, identityClient } from '../deploy/api-identity.js';
import { applyObjects } from '../deploy/kustomize.js';
import { roleGrant } from '../deploy/rbac.js';
import { waitFor } from '../util/wait.js';
import { routedNamespace, startTestWebhooks, type TestWebhooks } from './webhook.js';

export interface SubmitterWorld {
  identity: ApiIdentity;
  /** A client acting as the operator's ServiceAccount. */
  operator: RecordingClient;
  webhooks: TestWebhooks;
  /** The namespace routed to the webhooks, where the runs and the submitters live. */
  ns: string;
  /** The TaskRuns' collection in `ns`. */
  taskruns: string;
  /** The Kubernetes user of each ServiceAccount of `accounts`, by name. */
  users: Record<string, string>;
}

/** `accounts` made in the world's namespace; the first granted rex and acme/payments, the rest nothing. */
export async function submitterWorld(
  t: Test,
  cluster: Cluster,
  admin: KubeClient,
  accounts: [string, ...string[]],
): Promise<SubmitterWorld> {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const operator = await identityClient(t, cluster, identity);
  // The manager states the submitter (src/admission/submitter.ts); admission asks about that user.
  const webhooks = await startTestWebhooks(t, cluster, {
    reviews: operator,
    trustedSubmitters: new Set([identity.user]),
  });
  const ns = await routedNamespace(t, cluster, webhooks);
  const taskruns = resourcePath(runResource('TaskRun'), ns);
  t.teardown(async () => {
    const list = await admin.request<{ items: TaskRun[] }>('GET', taskruns);
    for (const run of list.items)
      await admin.request('PATCH', `${taskruns}/${run.metadata?.name}`, {
        body: { metadata: { finalizers: null } },
        contentType: 'application/merge-patch+json',
      });
  });
  const [granted] = accounts;
  const use = (resource: string, name: string) => ({
    apiGroups: ['orchestrator.io'],
    resources: [resource],
    resourceNames: [name],
    verbs: ['use'],
  });
  const applied = await applyObjects(cluster, [
    ...accounts.map((name) => ({
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { name, namespace: ns },
    })),
    ...roleGrant(ns, `${granted}-runs`, { kind: 'ServiceAccount', name: granted, namespace: ns }, [
      use('agentprofiles', 'rex'),
      use('repositories', 'github.com/acme/payments'),
    ]),
  ] as KubeObject[]);
  t.equal(applied.code, 0, applied.stderr);
  const users = Object.fromEntries(
    accounts.map((name) => [name, serviceAccountUser({ namespace: ns, name })]),
  );
  const submitter = users[granted] ?? '';
  for (const [resource, name] of [
    ['agentprofiles', 'rex'],
    ['repositories', 'github.com/acme/payments'],
  ] as const)
    await waitFor(`RBAC to allow ${submitter} to use ${resource} ${name}`, () =>
      allowedTo(cluster, submitter, { namespace: ns, verb: 'use', group: 'orchestrator.io', resource, name }),
    );
  return { identity, operator, webhooks, ns, taskruns, users };
}
