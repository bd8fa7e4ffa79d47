// GitHub App runs get their tokens from the operator's broker, phase by phase, on the real apiserver:
// real projected ServiceAccount tokens bound to the real pods the Job controller made (KWOK plays
// their kubelet), reviewed with real TokenReviews, against the GitHub stand-in
// (test/harness/remote/github-api: every call checked against GitHub's published REST description,
// the App's JWT verified with its public key). The App's key is a Secret in the operator's namespace
// only; no token is ever in a Secret of the run's namespace, so a co-tenant with the namespace's `edit`
// role finds none there; a token goes to its phase only, and is revoked once that phase is over.
import t, { type Test } from 'tap';
import type { TaskRunStatus } from '../../src/api/index.js';
import { serviceAccountToken, tokenKubeConfig } from '../../src/app/service-account.js';
import { PHASE_TOKEN_AUDIENCE } from '../../src/github/phase-tokens/index.js';
import { KubeClient, type KubeObject, resourcePath, SECRETS } from '../../src/runtime/index.js';
import { kubeConfig } from '../harness/cluster/cluster.js';
import {
  httpStatusOf,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { boundToken, startPhaseTokenBroker, whenRunning } from '../harness/operator/phase-tokens.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { REQUEST_LIMIT_MS, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

type Secret = KubeObject & { data?: Record<string, string> };

/** The broker and the operator on a namespace of runs; `annotations`: how KWOK plays the pod's containers. */
async function setup(t: Test, annotations: Record<string, string>) {
  const ops = await suite.namespace(t);
  const runs = await suite.namespace(t);
  const admin = suite.admin(t, { requestTimeoutMs: REQUEST_LIMIT_MS });
  // Not shipped: the model gateway off, the setting an upgraded install starts in (docs/upgrading.md).
  // The broker must serve the phases' tokens without it; with it on, the listener serves both.
  const config = testConfig((c) => {
    c.gateway = { ...c.gateway, enabled: false };
    c.job.podAnnotations = { ...c.job.podAnnotations, ...annotations };
  });
  const broker = await startPhaseTokenBroker(t, admin, ops, config);
  t.notOk(broker.modelGateway, 'the model gateway is off: its listener serves the broker only');
  await startOperator(t, cluster, runs, config);
  return { ops, runs, admin, ...broker };
}

/** A client acting as a co-tenant: a ServiceAccount of `namespace` bound to the built-in `edit` role there. */
async function coTenant(t: Test, admin: KubeClient, namespace: string): Promise<KubeClient> {
  await admin.request('POST', `/api/v1/namespaces/${namespace}/serviceaccounts`, {
    body: { metadata: { name: 'bob' } },
  });
  await admin.request('POST', `/apis/rbac.authorization.k8s.io/v1/namespaces/${namespace}/rolebindings`, {
    body: {
      metadata: { name: 'bob-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ kind: 'ServiceAccount', name: 'bob', namespace }],
    },
  });
  const token = await serviceAccountToken(admin, { namespace, name: 'bob' }, 3600);
  const bob = new KubeClient(
    tokenKubeConfig(kubeConfig(cluster), token, `system:serviceaccount:${namespace}:bob`),
    {
      requestTimeoutMs: REQUEST_LIMIT_MS,
    },
  );
  t.teardown(() => bob.close());
  // The authorizer learns a new binding a moment after it is written.
  await waitFor(
    'the edit binding to take effect',
    async () => (await httpStatusOf(bob.request('GET', resourcePath(SECRETS, namespace)))) === 200,
  );
  return bob;
}

const decoded = (s: Secret) =>
  Object.values(s.data ?? {}).map((v) => Buffer.from(v, 'base64').toString('utf8'));

t.test(
  "a co-tenant with the namespace's edit role finds no GitHub token in its Secrets while an attempt holds one, and cannot ask for it",
  async (t) => {
    // Prepare runs for a day: the attempt holds its read token all along.
    const { ops, runs, admin, app, ask } = await setup(t, { 'sim.orchestrator.io/init-delay': '24h' });
    await admin.request('POST', taskRunPath(runs), { body: sampleTaskRun('app-run') });
    const pod = await whenRunning(
      admin,
      await runPod(admin, 'TaskRun', runs, 'app-run'),
      'prepare-workspace',
    );
    // The pod: a projected token of the broker's audience for prepare and the publisher, nothing for
    // the agent, and no Secret of a token.
    type Container = { name: string; env?: { name: string }[]; volumeMounts?: { name: string }[] };
    const spec = pod.spec as {
      initContainers: Container[];
      containers: Container[];
      volumes: Array<{ name: string; secret?: object; projected?: { sources: object[] } }>;
    };
    const container = (n: string) => [...spec.initContainers, ...spec.containers].find((c) => c.name === n);
    t.match(spec.volumes.find((v) => v.name === 'github-token-credential')?.projected?.sources, [
      { serviceAccountToken: { audience: PHASE_TOKEN_AUDIENCE } },
    ]);
    for (const holder of ['prepare-workspace', 'publish'])
      t.ok(
        container(holder)?.volumeMounts?.some((m) => m.name === 'github-token-credential'),
        holder,
      );
    t.notOk(
      container('agent')?.volumeMounts?.some((m) => m.name.startsWith('github-')),
      'not the agent',
    );
    t.notOk(
      container('agent')?.env?.some((e) => e.name.startsWith('GITHUB_')),
      "no token's variable either",
    );
    t.same(
      spec.volumes.filter((v) => v.secret),
      [],
      'no Secret volume: no token is mounted from the namespace',
    );

    // The prepare container asks, as its entry script does with its projected token.
    const credential = await boundToken(admin, pod);
    const read = await ask('read', credential);
    t.equal(read.status, 200, read.text);
    t.match(app.issued(read.text), {
      repositories: ['payments'],
      permissions: { contents: 'read', metadata: 'read' },
    });
    const write = await ask('write', credential);
    t.equal(write.status, 403, "the write token is not prepare's");
    t.match(write.text, /agent container has not ended/);

    // The attack: Bob, who may edit the namespace, reads every Secret there during the attempt.
    const bob = await coTenant(t, admin, runs);
    const listed = await bob.request<{ items: Secret[] }>('GET', resourcePath(SECRETS, runs));
    const minted = app.tokens.map((x) => x.token);
    t.ok(minted.length > 0, 'a token is out');
    for (const secret of listed.items) {
      const full = await bob.request<Secret>('GET', resourcePath(SECRETS, runs, secret.metadata?.name));
      t.notOk(
        decoded(full).some((value) => minted.some((token) => value.includes(token))),
        `Secret ${secret.metadata?.name} holds no minted token`,
      );
    }
    t.same(
      listed.items.filter((s) => s.metadata?.labels?.['orchestrator.io/credential']),
      [],
      'no token Secret in the run namespace at all',
    );
    t.equal(
      await httpStatusOf(bob.request('GET', resourcePath(SECRETS, ops))),
      403,
      "nor can Bob read the operator's namespace, where the App's key is",
    );
    // Bob asks the broker himself: with his own token (the apiserver's audience), and, where his role
    // lets him make one, with a token of the broker's audience bound to the attempt's pod.
    const own = await serviceAccountToken(admin, { namespace: runs, name: 'bob' }, 600);
    t.equal((await ask('read', own)).status, 401, 'a token of another audience: refused by the review');
    const forged = await boundToken(bob, pod).catch((err: Error) => err);
    if (forged instanceof Error)
      t.match(forged.message, /forbidden/i, 'edit may not make pod-bound tokens here');
    else {
      const stolen = await ask('read', forged);
      t.equal(stolen.status, 403, 'a second credential bound to the pod: refused');
      t.match(stolen.text, /already handed to another credential/);
    }
    t.equal(app.tokens.length, minted.length, 'nothing more was minted for Bob');

    // The run deleted: its pod goes, and the broker revokes the token it handed out.
    await admin.request('DELETE', taskRunPath(runs, 'app-run'));
    await waitFor(
      'the read token revoked at GitHub (the broker sweeps every 15 s)',
      async () => app.issued(read.text)?.revoked === true,
      { timeoutMs: 90_000 },
    );
  },
);

t.test(
  "the publisher gets the write token once the agent has ended, and prepare's is refused then",
  async (t) => {
    // Prepare and the agent end at once; the publisher runs for a day.
    const { runs, admin, app, ask } = await setup(t, {});
    await admin.request('POST', taskRunPath(runs), { body: sampleTaskRun('publishing') });
    const pod = await whenRunning(admin, await runPod(admin, 'TaskRun', runs, 'publishing'), 'publish');
    const credential = await boundToken(admin, pod);
    const read = await ask('read', credential);
    t.equal(read.status, 403, 'prepare is over');
    const write = await ask('write', credential);
    t.equal(write.status, 200, write.text);
    t.match(app.issued(write.text), {
      repositories: ['payments'],
      permissions: { contents: 'write', pull_requests: 'write', metadata: 'read' },
    });
    const again = await ask('write', credential);
    t.equal(again.text, write.text, 'its retry gets the same token, not a second one');
    t.equal(app.tokens.length, 1);
    const status = (await admin.request<{ status?: TaskRunStatus }>('GET', taskRunPath(runs, 'publishing')))
      .status;
    t.equal(status?.phase, 'Running', 'the run follows its pod as before');
  },
);

t.test('a token GitHub will not mint is refused to the phase, saying why', async (t) => {
  const { runs, admin, ask } = await setup(t, { 'sim.orchestrator.io/init-delay': '24h' });
  await admin.request('POST', taskRunPath(runs), {
    body: sampleTaskRun('elsewhere', 8, { repository: { url: 'https://github.com/stranger/tools.git' } }),
  });
  const pod = await whenRunning(
    admin,
    await runPod(admin, 'TaskRun', runs, 'elsewhere'),
    'prepare-workspace',
  );
  const answer = await ask('read', await boundToken(admin, pod));
  t.equal(answer.status, 502);
  t.match(answer.text, /not installed on stranger/);
});
