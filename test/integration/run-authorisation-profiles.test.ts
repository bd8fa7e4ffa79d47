// The operator's powers are used by permission (docs/security.md "Agent profiles", "Repositories"),
// against the real apiserver and real RBAC: a ServiceAccount allowed only to create runs is refused
// the cluster-access profile (tess, by spec.githubApp and by spec.agent), though a Role grants it `use`
// of tess by name as an editor role listing it would (a restricted profile needs `use-restricted`),
// and an App run's repository it was not granted, through kubectl --as (the webhooks, whose caller is not proven to be the
// apiserver here, so the answer lists the SelfSubjectAccessReviews that check each, which are made as
// the account and say false) and through the REST API with the account's token (the full denial: field, profile or
// repository, and the Role rule that would allow it). With a Role allowing `use-restricted agentprofiles/tess`,
// one allowing the exact repository and one allowing an owner's every repository (`host/owner/*`),
// the same runs are admitted both ways, and the listed reviews say true. The account Argo's Workflows run
// as (config/argo/workflows/rbac.yaml, as shipped) holds no right on tess; its unrestricted apps pass.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import t from 'tap';
import { parseAllDocuments, stringify } from 'yaml';
import { serviceAccountUser } from '../../src/app/service-account.js';
import { KubeReviewer } from '../../src/auth/index.js';
import { inNamespace } from '../../src/cluster/agent-sandbox.js';
import { startApiServer } from '../../src/rest/server.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { allowedTo, reviewAs, selfReview } from '../harness/cluster/access-review.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects } from '../harness/deploy/kustomize.js';
import { roleGrant } from '../harness/deploy/rbac.js';
import { testConfig } from '../harness/operator/operator.js';
import { call, type Target } from '../harness/operator/rest.js';
import { routedNamespace, startTestWebhooks } from '../harness/operator/webhook.js';
import { fixedBudgets } from '../harness/rest/budget-reports.js';
import { REQUEST_LIMIT_MS, waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
t.teardown(() => admin.close());

/** A CodeRun of `githubApp` whose repository and documentation are `owner`'s payments repository. */
const codeRun = (name: string, githubApp: string, owner: string) => {
  const url = `https://github.com/${owner}/payments`;
  const spec = { githubApp, taskId: 3, service: 'payments', repositoryUrl: url, docsRepositoryUrl: url };
  return { apiVersion: 'orchestrator.io/v1', kind: 'CodeRun', metadata: { name }, spec };
};
const taskRun = (name: string, agent: string) => ({
  apiVersion: 'orchestrator.io/v1',
  kind: 'TaskRun',
  metadata: { name },
  spec: {
    taskId: 7,
    serviceName: 'payments',
    agent,
    repository: { url: 'https://github.com/acme/payments.git' },
    markdownFiles: [{ filename: 'task.md', content: '# Task\nDo it.\n' }],
  },
});

const role = (ns: string, name: string, rule: Record<string, unknown>) =>
  roleGrant(ns, name, { kind: 'ServiceAccount', name: 'ci', namespace: ns }, [rule]);
const use = (resource: string, name: string, verb = 'use') => ({
  apiGroups: ['orchestrator.io'],
  resources: [resource],
  resourceNames: [name],
  verbs: [verb],
});

t.test('tess and an ungranted App repository are refused until a Role grants them', async (t) => {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const client = await identityClient(t, cluster, identity);
  // The REST API creates its callers' runs as the orchestrator account, which checked them itself.
  const webhooks = await startTestWebhooks(t, cluster, {
    reviews: client,
    trustedSubmitters: new Set([identity.user]),
  });
  const ns = await routedNamespace(t, cluster, webhooks);
  const ci = serviceAccountUser({ namespace: ns, name: 'ci' });
  const applied = await applyObjects(cluster, [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'ci', namespace: ns } },
    ...role(ns, 'ci-runs', {
      apiGroups: ['orchestrator.io'],
      resources: ['coderuns', 'agenttaskruns'],
      verbs: ['create'],
    }),
    // What an editor role that names tess (chart values that gave a listed profile cluster access)
    // would grant: `use`, which a restricted profile does not take.
    ...role(ns, 'tess-by-name', use('agentprofiles', 'tess')),
  ] as KubeObject[]);
  t.equal(applied.code, 0, applied.stderr);
  await waitForPermission(cluster, ci, ['create', 'coderuns.orchestrator.io', '-n', ns]);

  const server = await startApiServer({
    certFile: join(webhooks.certDir, 'tls.crt'),
    keyFile: join(webhooks.certDir, 'tls.key'),
    client,
    streams: client,
    reviewer: new KubeReviewer({ client, audience: 'orchestrator', timeoutMs: 10_000 }),
    config: () => testConfig(),
    budgets: fixedBudgets(testConfig),
    logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    requestTimeoutMs: REQUEST_LIMIT_MS,
    port: 0,
    host: '127.0.0.1',
  });
  t.teardown(() => server.close());
  const api: Target = { port: server.port, ca: webhooks.caPem };
  const answer = await admin.request<{ status?: { token?: string } }>(
    'POST',
    `/api/v1/namespaces/${ns}/serviceaccounts/ci/token`,
    {
      body: {
        apiVersion: 'authentication.k8s.io/v1',
        kind: 'TokenRequest',
        spec: { audiences: ['orchestrator'] },
      },
    },
  );
  const token = answer.status?.token ?? '';
  const rest = (run: ReturnType<typeof codeRun> | ReturnType<typeof taskRun>) =>
    call(api, 'POST', `/api/v1/namespaces/${ns}/${run.kind.toLowerCase()}s`, { token, body: run });
  const create = (run: object) =>
    kubectl(cluster, ['create', '-n', ns, '-f', '-', `--as=${ci}`], stringify(run));
  const attributes = (resource: string, name: string, verb = 'use') => ({
    namespace: ns,
    verb,
    group: 'orchestrator.io',
    resource,
    name,
  });
  // The denial's command for a virtual resource: the SelfSubjectAccessReview it pipes to kubectl.
  const command = (resource: string, name: string, verb = 'use') =>
    `echo '${selfReview(attributes(resource, name, verb))}' | kubectl create --validate=false -f - -o jsonpath='{.status.allowed}'`;
  const mayUse = (resource: string, name: string, verb = 'use') =>
    allowedTo(cluster, ci, attributes(resource, name, verb));
  const tessRule =
    '{apiGroups: [orchestrator.io], resources: [agentprofiles], resourceNames: [tess], verbs: [use-restricted]}';
  const cannotUse = (resource: string, verb = 'use') =>
    `User "${ci}" cannot ${verb} resource "${resource}" in API group "orchestrator.io" in the namespace "${ns}"`;
  await waitFor(`RBAC to allow ${ci} to use tess by name`, () => mayUse('agentprofiles', 'tess'));

  // Allowed only to create runs and `use` tess by name: tess refused by either field (a restricted
  // profile needs use-restricted), the repository too; and rex, which the
  // shipped editor roles would grant (user-roles.test.ts), is not granted to this account either.
  const tessCode = await create(codeRun('tess-code', '5DLabs-Tess', 'acme'));
  t.not(tessCode.code, 0, 'the tess CodeRun is refused');
  const useTess = command('agentprofiles', 'tess', 'use-restricted');
  const useRepo = `${command('repositories', 'github.com/acme/payments')} (or) ${command('repositories', 'github.com/acme/*')}`;
  t.match(tessCode.stderr, `spec.githubApp: ${useTess}`, 'names the field and the permission of the profile');
  t.match(
    tessCode.stderr,
    `spec.repositoryUrl: ${useRepo}`,
    'names the field and the permissions of the repository',
  );
  t.notMatch(tessCode.stderr, `User "${ci}"`, 'whom RBAC refused is not said to an unproven caller');
  const tessTask = await create(taskRun('tess-task', 'tess'));
  t.not(tessTask.code, 0, 'the tess TaskRun is refused');
  t.match(tessTask.stderr, `spec.agent: ${useTess}`);
  t.match(tessTask.stderr, `spec.repository.url: ${command('repositories', 'github.com/acme/payments')}`);
  // The reviews the denial lists are real: as the account, kubectl creates them and they say false.
  // Each repository's once: spec.repositoryUrl and spec.docsRepositoryUrl name the same one here.
  const listed = [
    ...new Set([...tessCode.stderr.matchAll(/echo '(\{[^']*\})'/g)].map((m) => m[1] as string)),
  ];
  t.equal(listed.length, 3, 'the profile and the two names of the repository');
  t.same(await Promise.all(listed.map((review) => reviewAs(cluster, ci, review))), [
    'false',
    'false',
    'false',
  ]);

  const viaRest = await rest(codeRun('tess-rest', '5DLabs-Tess', 'acme'));
  t.match(viaRest, { status: 403, body: { kind: 'Status', reason: 'Forbidden' } });
  t.match(
    viaRest.body.message,
    `spec.githubApp: agentprofiles "tess" is forbidden: ${cannotUse('agentprofiles', 'use-restricted')}: the profile runs its pods as ServiceAccount orchestrator-agent-cluster-access with cluster access; a Role rule allowing it: ${tessRule}`,
  );
  t.match(
    viaRest.body.message,
    `spec.repositoryUrl: repositories "github.com/acme/payments" is forbidden: ${cannotUse('repositories')}, nor use resource "repositories" in API group "orchestrator.io" in the namespace "${ns}" named "github.com/acme/*": the operator would mint GitHub App 5DLabs-Tess's installation token for this repository into the agent's pod; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [repositories], resourceNames: [github.com/acme/payments], verbs: [use]} or {apiGroups: [orchestrator.io], resources: [repositories], resourceNames: [github.com/acme/*], verbs: [use]}`,
  );
  t.equal(
    (await kubectl(cluster, ['get', 'ocr,otr', '-n', ns, '-o', 'name'])).stdout,
    '',
    'nothing was stored',
  );

  // The grants: tess, the exact repository, and another owner's every repository.
  const granted = await applyObjects(cluster, [
    ...role(ns, 'use-tess', use('agentprofiles', 'tess', 'use-restricted')),
    ...role(ns, 'acme-payments', use('repositories', 'github.com/acme/payments')),
    ...role(ns, 'beta-all', use('repositories', 'github.com/beta/*')),
  ] as KubeObject[]);
  t.equal(granted.code, 0, granted.stderr);
  for (const [resource, name, verb] of [
    ['agentprofiles', 'tess', 'use-restricted'],
    ['repositories', 'github.com/acme/payments', 'use'],
    ['repositories', 'github.com/beta/*', 'use'],
  ] as const)
    await waitFor(`RBAC to allow ${ci} to ${verb} ${resource} ${name}`, () => mayUse(resource, name, verb));
  t.same(
    await Promise.all(listed.map((review) => reviewAs(cluster, ci, review))),
    ['true', 'true', 'false'],
    "the denial's own reviews now allow tess and the exact repository (the owner-wide one was not granted for acme)",
  );

  // The webhook and the REST API remember a denial for 30 s (src/auth): wait that out.
  const admitted = async (what: string, attempt: () => Promise<boolean>) =>
    waitFor(`${what} to be admitted once the cached denials expire`, attempt, {
      timeoutMs: 120_000,
      intervalMs: 2_000,
    });
  await admitted(
    'the tess CodeRun by kubectl',
    async () => (await create(codeRun('tess-code', '5DLabs-Tess', 'acme'))).code === 0,
  );
  await admitted(
    'the tess TaskRun by kubectl',
    async () => (await create(taskRun('tess-task', 'tess'))).code === 0,
  );
  await admitted(
    'the tess CodeRun by the REST API',
    async () => (await rest(codeRun('tess-rest', '5DLabs-Tess', 'acme'))).status === 201,
  );
  // Not asked before: admitted at once, by the owner-wide grant.
  const beta = await create(codeRun('tess-beta', '5DLabs-Tess', 'beta'));
  t.equal(beta.code, 0, `github.com/beta/* allows github.com/beta/payments: ${beta.stderr}`);
  const betaRest = await rest(codeRun('tess-beta-rest', '5DLabs-Tess', 'beta'));
  t.equal(betaRest.status, 201, JSON.stringify(betaRest.body));
  // The exact grant is for acme/payments only.
  const ledger = await rest({
    ...codeRun('ledger', '5DLabs-Tess', 'acme'),
    spec: { ...codeRun('x', '5DLabs-Tess', 'acme').spec, repositoryUrl: 'https://github.com/acme/ledger' },
  });
  t.match(ledger, {
    status: 403,
    body: { message: /spec\.repositoryUrl: repositories "github\.com\/acme\/ledger" is forbidden/ },
  });
  t.same(
    (await kubectl(cluster, ['get', 'ocr,otr', '-n', ns, '-o', 'name'])).stdout
      .split('\n')
      .filter(Boolean)
      .sort(),
    [
      'coderun.orchestrator.io/tess-beta',
      'coderun.orchestrator.io/tess-beta-rest',
      'coderun.orchestrator.io/tess-code',
      'coderun.orchestrator.io/tess-rest',
      'taskrun.orchestrator.io/tess-task',
    ],
  );
});

// docs/argo.md "Whose powers a Workflow has": whoever may create Workflows acts as the namespace's
// orchestrator-workflow account, so the shipped Role (config/argo/workflows/rbac.yaml, applied as it
// ships) gives it the unrestricted profiles the templates name and not tess.
t.test(
  "a Workflow's account, with the shipped Role, may not run tess; its unrestricted apps pass",
  async (t) => {
    const webhooks = await startTestWebhooks(t, cluster, {});
    const ns = await routedNamespace(t, cluster, webhooks);
    const file = join(packageRoot(), 'config', 'argo', 'workflows', 'rbac.yaml');
    const shipped = parseAllDocuments(readFileSync(file, 'utf8')).map((d) => d.toJSON() as KubeObject);
    const applied = await applyObjects(cluster, inNamespace(shipped, ns));
    t.equal(applied.code, 0, applied.stderr);
    const workflow = serviceAccountUser({ namespace: ns, name: 'orchestrator-workflow' });
    await waitForPermission(cluster, workflow, ['create', 'coderuns.orchestrator.io', '-n', ns]);
    // The team's own grant of its repositories (docs/argo.md), so that only the profile decides.
    const subject = { kind: 'ServiceAccount' as const, name: 'orchestrator-workflow', namespace: ns };
    const repos = await applyObjects(cluster, [
      ...roleGrant(ns, 'workflow-repositories', subject, [use('repositories', 'github.com/acme/*')]),
    ] as KubeObject[]);
    t.equal(repos.code, 0, repos.stderr);
    const profile = (name: string, verb: string) => ({
      namespace: ns,
      verb,
      group: 'orchestrator.io',
      resource: 'agentprofiles',
      name,
    });
    await waitFor(`RBAC to allow ${workflow} the acme repositories`, () =>
      allowedTo(cluster, workflow, { ...profile('github.com/acme/*', 'use'), resource: 'repositories' }),
    );
    const create = (run: object) =>
      kubectl(cluster, ['create', '-n', ns, '-f', '-', `--as=${workflow}`], stringify(run));

    const tess = await create(codeRun('testing', '5DLabs-Tess', 'acme'));
    t.not(tess.code, 0, 'the DAG testing app is refused to the workflow account');
    t.match(tess.stderr, /"verb":"use-restricted"[^']*"name":"tess"/, 'for want of use-restricted on tess');
    t.notOk(
      await allowedTo(cluster, workflow, profile('tess', 'use-restricted')),
      'RBAC: no use-restricted tess',
    );
    t.notOk(
      await allowedTo(cluster, workflow, profile('tess', 'use')),
      'RBAC: no use of tess by name either',
    );
    for (const app of ['5DLabs-Rex', '5DLabs-Cleo']) {
      const run = await create(codeRun(app.toLowerCase(), app, 'acme'));
      t.equal(run.code, 0, `${app}: the shipped Role allows its profile: ${run.stderr}`);
    }
  },
);
