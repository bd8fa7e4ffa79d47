// config/rbac is exactly what the manager uses. Its rules are applied to the real apiserver (RBAC
// authorization on), the manager runs with leader election as the ServiceAccount (a TokenRequest
// token), and runs are driven through every path that calls the API: create → Running → Succeeded, a
// failed attempt and its retry, a raised retryAttempt replacing a running Job, name conflicts with
// foreign objects, deletion through the finalizer; the paths at once, each run on a service of its
// own. The runs' namespace is selected by a label
// (namespaceSelector), so the namespace rule is used too. Every request is recorded with the
// attributes the authorizer checks. Asserted: nothing was forbidden or used without a rule (no verb
// missing), every granted verb was used (none extra), and Leases are only touched in the manager's own
// namespace, granted by a Role. Runs act as GitHub Apps against the GitHub stand-in: an attempt's
// publisher asks the token broker for its token (a TokenReview, its pod, Job and run read), the Apps'
// keys read from the manager's namespace, by name only, and no Secret of a run namespace touched. The model gateway is on (config/rbac/gateway-role.yaml): its signing key is made, the
// platform's key read by name, and an attempt's calls through it to the model stand-in recorded in the
// ledger ConfigMaps of the manager's namespace (created, added to, listed and watched to sum a budget).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { Registry } from 'prom-client';
import t from 'tap';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { appKeySecrets, appKeysRole } from '../../scripts/generate-app-keys-role.js';
import {
  kindFacts,
  RUN_KIND_NAMES,
  type RunKindName,
  type TaskRun,
  type TaskRunStatus,
} from '../../src/api/index.js';
import { startModelGateway } from '../../src/app/gateway.js';
import {
  authenticatedUser,
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from '../../src/app/service-account.js';
import { withClient } from '../../src/cluster/apply.js';
import { taskRunStrategy } from '../../src/controllers/kind/strategy.js';
import { runControllers } from '../../src/controllers/run-controllers.js';
import { GITHUB_TOKEN_PATHS } from '../../src/gateway/github-token-route.js';
import { AppKeys, TokenBroker } from '../../src/github/app-tokens/index.js';
import { DEFAULT_CONNECTION_LIMITS } from '../../src/http/connection-limits.js';
import { loadTemplateSet } from '../../src/render/index.js';
import { KubeClient, type KubeObject, Manager, resourcePath, SECRETS } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { permission, RecordingClient } from '../harness/clients/recording-client.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { ensureArgoCrds } from '../harness/deploy/argo.js';
import { playWorkflow } from '../harness/deploy/argo-runs.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { applyObjects, kustomize, one } from '../harness/deploy/kustomize.js';
import { difference, granted, isolated, type Rule } from '../harness/deploy/rbac.js';
import { agentModelToken, gatewayCall, gatewayConfig } from '../harness/operator/gateway.js';
import {
  APP_KEY_SECRETS,
  configMapPath,
  finishJob,
  HARNESS_SEAL,
  httpStatusOf,
  jobPath,
  sampleTaskRun,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { boundToken, whenRunning } from '../harness/operator/phase-tokens.js';
import { runPod } from '../harness/operator/run-pods.js';
import { githubAppFixture } from '../harness/remote/github-api/apps.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';
import { say } from '../harness/remote/model-script.js';
import { ModelStandin } from '../harness/remote/model-standin.js';
import { samplesConfig } from '../harness/util/app-configs.js';
import { REQUEST_LIMIT_MS, waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);
await ensureArgoCrds(cluster);
const root = packageRoot();

t.test('config/rbac grants every verb the manager uses and no other', async (t) => {
  const home = await testNamespace(t, cluster);
  const selector = `orchestrator.io/rbac-test=${home}`;
  const runs = await testNamespace(t, cluster, { 'orchestrator.io/rbac-test': home });
  // An install names its Apps (the shipped config names none): the samples' here, as the runs below
  // act as them, with the Role on their keys that `npm run generate` writes into config/rbac.
  const appKeys = parseAllDocuments(appKeysRole(stringify(samplesConfig()), "the samples' Apps"))
    .map((d) => d.toJS() as KubeObject)
    .filter(Boolean);
  const rbac = isolated([...(await kustomize(cluster, join(root, 'config', 'rbac'))), ...appKeys], home);
  const applied = await applyObjects(cluster, rbac);
  t.equal(applied.code, 0, applied.stderr);
  t.teardown(() =>
    kubectl(cluster, [
      'delete',
      '--ignore-not-found',
      ...rbac.filter((o) => o.kind?.startsWith('Cluster')).map((o) => `${o.kind}/${o.metadata?.name}`),
    ]),
  );
  const sa = { namespace: home, name: one(rbac, 'ServiceAccount').metadata?.name ?? '' };
  // The authorizer's cache learns new bindings a moment after they are written.
  const canI = async (args: string[]) =>
    (await kubectl(cluster, ['auth', 'can-i', ...args, `--as=${serviceAccountUser(sa)}`])).stdout.trim();
  await waitFor(
    'the bindings to take effect',
    async () =>
      (await canI(['list', 'jobs.batch', '-n', runs])) === 'yes' &&
      (await canI(['create', 'leases.coordination.k8s.io', '-n', home])) === 'yes',
  );

  const kc = tokenKubeConfig(
    kubeConfig(cluster),
    await withClient(kubeConfig(cluster), (admin) => serviceAccountToken(admin, sa, 3600)),
    serviceAccountUser(sa),
  );
  const probe = new KubeClient(kc, { requestTimeoutMs: REQUEST_LIMIT_MS });
  t.equal(await authenticatedUser(probe), serviceAccountUser(sa), 'the manager authenticates as the SA');
  probe.close();

  const client = new RecordingClient(kc, new Map(RUN_KIND_NAMES.map((k) => [k, kindFacts(k).plural])));
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const registry = new Registry();
  const config = testConfig((c) => {
    // Egress off (not shipped): this test is about config/rbac. config/egress's Role, on the proxy's
    // pods, is what an operator bound by namespaced Roles syncs with (reconcile-namespaces.test.ts).
    c.egress = { ...c.egress, enabled: false };
    c.retries = { ...c.retries, maxRetries: 3, backoffSeconds: 0 };
    c.concurrency = { perService: 10, global: 10 };
    // Long enough that a wait sees each run Succeeded before it expires, on a machine that stalls the
    // test for seconds (3 s was not, once waits backed off to 400 ms between checks).
    c.cleanup = { ttlSecondsAfterFinished: 20 };
  }, samplesConfig());
  // The model gateway on, to the model stand-in, with a budget over the runs' namespace (summed from
  // the gateway's watch of the ledger); the platform's key in the manager's namespace.
  const model = new ModelStandin({ script: [], apiKey: 'sk-rbac-platform', aside: () => say('ok') });
  const modelUrl = await model.listen();
  t.teardown(() => model.close());
  gatewayConfig(config, modelUrl);
  config.budgets = [{ name: 'rbac-team', limitUsd: '100', window: 'month', namespaces: [runs] }];
  const templates = loadTemplateSet();
  // The Apps of the runs below, installed on their owner; their keys in the manager's namespace.
  const app = githubAppFixture();
  app.installations.set('acme', { id: 5, repositories: ['payments', 'payments-docs'] });
  const github = await startGithubApi(t, app.routes);
  const keyAdmin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
  for (const name of appKeySecrets(stringify(samplesConfig())))
    await keyAdmin.request('POST', resourcePath(SECRETS, home), {
      body: {
        metadata: { name },
        stringData: { 'app-id': String(app.appId), 'private-key': app.privateKey },
      },
    });
  const platformKey = config.gateway.upstream.apiKey;
  await keyAdmin.request('POST', resourcePath(SECRETS, home), {
    body: { metadata: { name: platformKey.name }, stringData: { [platformKey.key]: 'sk-rbac-platform' } },
  });
  keyAdmin.close();
  const githubTokens = new TokenBroker({
    keys: new AppKeys(client, home, () => APP_KEY_SECRETS),
    apiUrl: () => github.url,
  });
  const manager = new Manager({
    client,
    registry,
    logger,
    leaderElection: {
      namespace: home,
      name: 'orchestrator-leader',
      identity: 'rbac-test',
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
    },
    metrics: false,
    probes: false,
    collectDefaultMetrics: false,
  });
  const gateway = await startModelGateway({
    client,
    config: { current: () => config, close: () => {} },
    namespace: home,
    connections: DEFAULT_CONNECTION_LIMITS,
    logger,
    githubTokens,
  });
  if (!gateway?.model) throw new Error('the model gateway did not start');
  t.teardown(() => gateway.close());
  const wired = runControllers({
    client,
    registry,
    logger,
    scope: { selector },
    config: () => config,
    templates: () => templates,
    seal: HARNESS_SEAL,
    gateway: { ledgerNamespace: home },
  });
  for (const informer of wired.informers) manager.addInformer(informer);
  for (const controller of wired.controllers) manager.addController(controller);
  // A missing permission stalls the run it hits: fail at once, naming it, instead of timing out.
  const waitAllowed = (what: string, condition: () => boolean | Promise<boolean>) =>
    waitFor(what, async () => {
      const denied = [...new Set(client.forbidden.map((f) => `${permission(f)} in "${f.namespace}"`))];
      if (denied.length) throw new Error(`forbidden while waiting for ${what}: ${denied.join(', ')}`);
      return condition();
    });
  await manager.start();
  t.teardown(() => manager.stop());
  await waitAllowed('leadership', () => manager.isLeader);

  const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
  t.teardown(() => admin.close());
  const status = async (path: string) =>
    (await admin.request<{ status?: TaskRunStatus }>('GET', path)).status;
  const reason = async (path: string) =>
    (await status(path))?.conditions?.find((c) => c.type === 'Succeeded')?.reason;

  // A run's publisher asks the broker for its write token (a TokenReview; its pod, Job and run read).
  const publisher = async (kind: RunKindName, name: string) => {
    const pod = await whenRunning(admin, await runPod(admin, kind, runs, name), 'publish');
    const asked = await fetch(`http://127.0.0.1:${gateway.port}${GITHUB_TOKEN_PATHS.write}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await boundToken(admin, pod)}` },
    });
    const token = await asked.text();
    // The answer is said only when it is not a token (a test's output is a log too).
    t.equal(asked.status, 200, `${kind} ${name}'s publisher is given a token${asked.ok ? '' : `: ${token}`}`);
    t.ok(app.issued(token), `${kind} ${name}'s publisher got a token the App issued`);
  };
  /** Until the run at `path` is gone: deleted, through the finalizer. */
  const gone = (what: string, path: string) =>
    waitAllowed(what, async () => (await httpStatusOf(admin.request('GET', path))) === 404);

  // The paths below are independent (each run its own service, so its own workspace), so they run at
  // once (one after another they took minutes, mostly waiting); a missing permission ends every wait.
  // Each ends with its runs gone: finished runs expire (cleanup.ttlSecondsAfterFinished), the runs
  // stuck on a name conflict never finish and are deleted by the user, both through the finalizer.

  // A TaskRun's whole life: Running, replaced by a raised retryAttempt, failed, retried, Succeeded, expired.
  const lifecycleRun = async () => {
    const path = taskRunPath(runs, 'lifecycle');
    const lifecycle = await admin.request<TaskRun>('POST', taskRunPath(runs), {
      body: sampleTaskRun('lifecycle', 1, { serviceName: 'lifecycle' }),
    });
    const job = (attempt: number) => taskRunStrategy.jobName(lifecycle, attempt);
    await waitAllowed('attempt 1 running', async () => (await status(path))?.jobName === job(1));
    await publisher('TaskRun', 'lifecycle');
    await admin.request('PATCH', path, {
      body: { spec: { retryAttempt: 2 } },
      contentType: 'application/merge-patch+json',
    });
    await waitAllowed(
      'job 1 gone',
      async () => (await httpStatusOf(admin.request('GET', jobPath(runs, job(1))))) === 404,
    );
    await waitAllowed('attempt 2 running', async () => (await status(path))?.jobName === job(2));
    await finishJob(admin, runs, job(2), 'Failed');
    await waitAllowed('attempt 3 (the retry)', async () => (await status(path))?.jobName === job(3));
    await finishJob(admin, runs, job(3), 'Complete');
    await waitAllowed('Succeeded', async () => (await status(path))?.phase === 'Succeeded');
    await gone(`${path} expired`, path);
  };

  // An agent container asks for its token with its projected ServiceAccount token (a TokenReview; its
  // pod, Job and run read), then makes two calls through the gateway: its ledger record made, then added to.
  const agentCalls = async (kind: RunKindName, name: string) => {
    const agentPod = await whenRunning(admin, await runPod(admin, kind, runs, name), 'agent');
    const asked = await agentModelToken(admin, `http://127.0.0.1:${gateway.port}`, agentPod);
    t.equal(
      asked.status,
      200,
      `the agent container is given its token${asked.status === 200 ? '' : `: ${asked.text}`}`,
    );
    const token = asked.text;
    for (const n of [1, 2]) {
      const answer = await gatewayCall(`http://127.0.0.1:${gateway.port}`, token);
      t.equal(answer.status, 200, `call ${n} through the gateway: ${answer.text}`);
    }
    t.equal(model.requests.length, 2, 'both reached the model stand-in');
  };

  // Names taken by objects the orchestrator does not own (outside its caches): read back, reported.
  // The names end in a hash of the run's uid: the foreign object takes a name of the run's attempt 2
  // once the run exists, and raising retryAttempt makes the reconciler want it.
  const conflictRun = async (run: TaskRun, collection: string, foreign: (run: TaskRun) => KubeObject) => {
    const created = await admin.request<TaskRun>('POST', taskRunPath(runs), { body: run });
    const path = taskRunPath(runs, run.metadata?.name);
    await waitAllowed(
      `${run.metadata?.name}: running`,
      async () => (await status(path))?.phase === 'Running',
    );
    await admin.request('POST', collection, { body: foreign(created) });
    await admin.request('PATCH', path, {
      body: { spec: { retryAttempt: 2 } },
      contentType: 'application/merge-patch+json',
    });
    await waitAllowed(
      `${run.metadata?.name}: NameConflict`,
      async () => (await reason(path)) === 'NameConflict',
    );
    await admin.request('DELETE', path);
    await gone(`${path} finalized`, path);
  };
  const foreignConfigMap = (run: TaskRun) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: taskRunStrategy.configMapName(run, 2) },
    data: {},
  });
  const container = { name: 'c', image: 'busybox', command: ['true'] };
  const foreignJob = (run: TaskRun) => ({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: taskRunStrategy.jobName(run, 2) },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } },
  });

  // The other kinds: their samples to Succeeded, then expired.
  const sampleRun = async (plural: 'coderuns' | 'docsruns', sample: string) => {
    const body = parse(readFileSync(join(root, 'config', 'samples', sample), 'utf8')) as KubeObject;
    // The CodeRun a stage of a play (as Argo's coderun-template makes it): its task marker's reading
    // is removed from the Workflow as it starts and recorded as it ends. Its owner is a Workflow that
    // exists (no Argo controller runs it here): with Argo's CRDs installed on the shared control plane,
    // the garbage collector deletes a run whose owner does not.
    if (plural === 'coderuns') {
      const owner = await playWorkflow(admin, runs, 'play-payments-t7');
      body.metadata = {
        ...body.metadata,
        labels: { ...body.metadata?.labels, 'workflows.argoproj.io/workflow': owner.name },
        ownerReferences: [{ apiVersion: 'argoproj.io/v1alpha1', kind: 'Workflow', ...owner }],
      };
    }
    // The DocsRun's agent calls the model. Each of its simulated init containers (prepare, then the
    // agent) runs 15 s, so the agent's is seen running and asks for its token while it runs; both
    // together well within a wait for a running pod. Every other run's take KWOK's default 200 ms.
    const agent = plural === 'docsruns';
    if (agent)
      body.spec = { ...(body.spec as object), podAnnotations: { 'sim.orchestrator.io/init-delay': '15s' } };
    const path = `/apis/orchestrator.io/v1/namespaces/${runs}/${plural}`;
    await admin.request('POST', path, { body });
    const item = `${path}/${body.metadata?.name}`;
    await waitAllowed(`${plural}: running`, async () => Boolean((await status(item))?.jobName));
    if (agent) await agentCalls(body.kind as RunKindName, body.metadata?.name ?? '');
    // The publisher after the init containers runs as long as testConfig holds it (the test ends the Job).
    await publisher(body.kind as RunKindName, body.metadata?.name ?? '');
    await finishJob(admin, runs, (await status(item))?.jobName ?? '', 'Complete');
    await waitAllowed(`${plural}: Succeeded`, async () => (await status(item))?.phase === 'Succeeded');
    await gone(`${item} expired`, item);
  };

  const paths = await Promise.allSettled([
    lifecycleRun(),
    conflictRun(
      sampleTaskRun('cm-conflict', 2, { serviceName: 'cm-conflict' }),
      configMapPath(runs),
      foreignConfigMap,
    ),
    conflictRun(sampleTaskRun('job-conflict', 3, { serviceName: 'job-conflict' }), jobPath(runs), foreignJob),
    sampleRun('coderuns', 'coderun.yaml'),
    sampleRun('docsruns', 'docsrun.yaml'),
  ]);
  // Every path settled before the manager stops; the first failure is the test's.
  for (const path of paths) if (path.status === 'rejected') throw path.reason;
  t.equal(app.tokens.length, 3, 'minted by the broker, one per publisher: the only tokens');
  // The log keeper says a deleted pod's unread logs lost in its run's status (docs/logs.md): after
  // the pod went with its expired run, so possibly after the run's path above has settled.
  const statusPatches = RUN_KIND_NAMES.map((k) => `patch orchestrator.io/${kindFacts(k).plural}/status`);
  await waitAllowed("the log keeper's status patch of each kind's run", () => {
    const used = new Set(client.requests.map(permission));
    return statusPatches.every((p) => used.has(p));
  });
  await manager.stop();

  // The manager's rules; the REST API's ClusterRole is proven by rest-api.test.ts.
  const rules = (kind: string, name?: string) => (one(rbac, kind, name).rules ?? []) as Rule[];
  const cluster_ = granted(rules('ClusterRole', `orchestrator-manager-${home}`));
  const roles = rbac.filter((o) => o.kind === 'Role');
  const role = granted(roles.flatMap((r) => (r.rules ?? []) as Rule[]));
  const allowed = new Set([...cluster_, ...role]);
  const used = new Set(client.requests.map(permission));
  t.same(client.forbidden, [], 'no request was forbidden');
  t.same(difference(used, allowed), [], 'every permission used is granted (none missing)');
  t.same(difference(allowed, used), [], 'every permission granted is used (none extra)');
  t.same(
    [...cluster_].filter((p) => p.includes('/leases')),
    [],
    'the ClusterRole grants nothing on Leases',
  );
  t.same(
    [...role].filter((p) => !/ (coordination\.k8s\.io\/leases|core\/secrets|core\/configmaps)$/.test(p)),
    [],
    'the Roles grant Leases, Secrets (keys) and ConfigMaps (the ledger) only',
  );
  const keyNames = new Set(
    roles.flatMap((r) =>
      ((r.rules ?? []) as Array<Rule & { resourceNames?: string[] }>).flatMap((x) => x.resourceNames ?? []),
    ),
  );
  const keyReads = client.requests.filter(
    (r) => r.resource === 'secrets' && r.namespace === home && r.verb !== 'create',
  );
  t.ok(keyReads.length > 0, 'the Apps’ and the gateway’s keys were read from the manager’s namespace');
  t.ok(
    keyReads.every((r) => r.verb === 'get' && r.name !== undefined && keyNames.has(r.name)),
    'only by the names the Roles list',
  );
  const ledger = client.requests.filter((r) => r.resource === 'configmaps' && r.namespace === home);
  // A record is read (get) only after another replica's write conflicted with this one's: not here.
  t.same(
    [...new Set(ledger.map((r) => r.verb))].sort(),
    ['create', 'list', 'update', 'watch'],
    'the ledger: records made, added to, listed and watched (each replica and the leader) in the manager’s namespace',
  );
  const leaseNamespaces = new Set(
    client.requests.filter((r) => r.resource === 'leases').map((r) => r.namespace),
  );
  t.same([...leaseNamespaces], [home], 'Leases only in the manager namespace');
  const selected = client.requests.filter((r) => r.resource === 'namespaces');
  t.ok(
    selected.every((r) => r.namespace === '' && ['list', 'watch'].includes(r.verb)),
    'namespaces are only listed and watched',
  );
  const reviews = client.requests.filter((r) => r.resource === 'tokenreviews');
  t.ok(
    reviews.length > 0 && reviews.every((r) => r.verb === 'create'),
    "the broker's TokenReviews (cluster-scoped) only created",
  );
  const elsewhere = client.requests.filter(
    (r) =>
      r.resource !== 'leases' &&
      r.resource !== 'namespaces' &&
      r.resource !== 'tokenreviews' &&
      !(['secrets', 'configmaps'].includes(r.resource) && r.namespace === home) &&
      r.namespace !== runs,
  );
  t.same(elsewhere, [], 'everything else in the runs namespace');
});
