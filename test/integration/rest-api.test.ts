// The REST API against the real apiserver: callers are ServiceAccounts with tokens for the audience
// `orchestrator` (TokenRequest), authorised by RBAC Roles; the API runs as the orchestrator
// ServiceAccount with only config/rbac's REST API ClusterRole, its every request recorded. Asserted:
// 401 (no token, a bad one, one for the apiserver's audience), 403 in a namespace the Role does not
// cover, 201, 409, 422 with admission's fields, list, get, retry, cancel, delete, watch, log; who submitted a run is recorded and
// cannot be forged through kubectl; the API's ClusterRole is exactly what it uses; a stopped apiserver
// is 503, never 500.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import pino from 'pino';
import t, { type Test } from 'tap';
import { stringify } from 'yaml';
import { ANNOTATIONS, promptTaskId, type TaskRun } from '../../src/api/index.js';
import { serviceAccountToken, tokenKubeConfig } from '../../src/app/service-account.js';
import { KubeReviewer } from '../../src/auth/index.js';
import { withClient } from '../../src/cluster/apply.js';
import { type ApiServer, startApiServer } from '../../src/rest/server.js';
import { KEPT_LOG_KEY } from '../../src/runs/index.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { permission } from '../harness/clients/recording-client.js';
import { startExtraApiserver } from '../harness/cluster/apiserver.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { apiIdentity, identityClient, waitForPermission } from '../harness/deploy/api-identity.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { difference, granted } from '../harness/deploy/rbac.js';
import { runCli } from '../harness/operator/cli.js';
import { sampleTaskRun, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { call, openEvents, type Target } from '../harness/operator/rest.js';
import { restCaller } from '../harness/operator/rest-callers.js';
import { startTestWebhooks } from '../harness/operator/webhook.js';
import { fixedBudgets } from '../harness/rest/budget-reports.js';
import { REQUEST_LIMIT_MS, scaled, waitFor } from '../harness/util/wait.js';

const cluster = await testCluster();
await ensureCrds(cluster);
const admin = new KubeClient(kubeConfig(cluster), { requestTimeoutMs: REQUEST_LIMIT_MS });
t.teardown(() => admin.close());
const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const config = testConfig();

/** A token for the ServiceAccount `namespace/name`, issued for `audiences`. */
const token = (namespace: string, name: string, audiences?: string[]) =>
  serviceAccountToken(admin, { namespace, name }, 3600, audiences);
const caller = (home: string, namespace: string, name = 'pm', clusterRole?: string) =>
  restCaller(cluster, home, namespace, name, clusterRole);

async function serve(
  t: Test,
  client: KubeClient,
  certDir: string,
  budgets = fixedBudgets(() => config),
): Promise<{ server: ApiServer; port: number }> {
  const server = await startApiServer({
    certFile: join(certDir, 'tls.crt'),
    keyFile: join(certDir, 'tls.key'),
    client,
    streams: client,
    reviewer: new KubeReviewer({ client, audience: 'orchestrator', timeoutMs: scaled(10_000) }),
    config: () => config,
    budgets,
    logger,
    requestTimeoutMs: REQUEST_LIMIT_MS,
    // Each caller here makes some 70 calls, as fast as the machine allows: the default bucket (20, then
    // 5 a second) refused one on a quiet machine. The bucket is src/rest/server.test.ts's subject.
    rateLimit: { requestsPerSecond: 1000, burst: 1000 },
    port: 0,
    host: '127.0.0.1',
  });
  t.teardown(() => server.close());
  return { server, port: server.port };
}

t.test(
  'a ServiceAccount token with RBAC on one namespace: 201 there, 403 elsewhere, 401 without',
  async (t) => {
    const home = await testNamespace(t, cluster);
    const identity = await apiIdentity(t, cluster, home);
    const webhooks = await startTestWebhooks(t, cluster, { trustedSubmitters: new Set([identity.user]) });
    const allowed = await testNamespace(t, cluster, webhooks.namespaceLabels);
    const other = await testNamespace(t, cluster, webhooks.namespaceLabels);
    const pm = await caller(home, allowed);
    await waitFor('the bindings to take effect', async () => {
      const can = await kubectl(cluster, [
        'auth',
        'can-i',
        'create',
        'agenttaskruns.orchestrator.io',
        '-n',
        allowed,
        `--as=${pm.user}`,
      ]);
      const api = await kubectl(cluster, [
        'auth',
        'can-i',
        'create',
        'tokenreviews.authentication.k8s.io',
        `--as=${identity.user}`,
      ]);
      return can.stdout.trim() === 'yes' && api.stdout.trim() === 'yes';
    });
    const client = await identityClient(t, cluster, identity);
    // A team budget over the namespace where pm may list runs, $2.50 of it spent today.
    const spent = {
      metadata: { namespace: allowed, name: 'spent' },
      status: { attemptUsage: [{ attempt: 1, finishedAt: new Date().toISOString(), costUsd: '2.5' }] },
    };
    const teamBudget = { name: 'team', namespaces: [allowed], limitUsd: '10', window: 'month' as const };
    const budgets = fixedBudgets(() => ({ ...config, budgets: [teamBudget] }), [spent]);
    const { port } = await serve(t, client, webhooks.certDir, budgets);
    const api: Target = { port, ca: webhooks.caPem };
    const pmToken = await token(home, 'pm', ['orchestrator']);

    t.match(await call(api, 'GET', '/health'), { status: 200, body: 'ok' });
    t.match(await call(api, 'GET', '/openapi.json'), { status: 200, body: { openapi: '3.0.3' } });

    const payload = (name: string) => ({ ...sampleTaskRun(name), metadata: { name, namespace: allowed } });
    t.match(await call(api, 'POST', '/api/v1/pm/tasks', { body: payload('none') }), {
      status: 401,
      body: { kind: 'Status', reason: 'Unauthorized', message: /no bearer token/ },
    });
    t.match(await call(api, 'POST', '/api/v1/pm/tasks', { token: 'not-a-token', body: payload('bad') }), {
      status: 401,
      body: { reason: 'Unauthorized' },
    });
    const kubeAudience = await token(home, 'pm');
    t.match(
      await call(api, 'POST', '/api/v1/pm/tasks', { token: kubeAudience, body: payload('aud') }),
      {
        status: 401,
        body: { reason: 'Unauthorized' },
      },
      "a token for the apiserver's audience is refused",
    );

    const created = await call(api, 'POST', '/api/v1/pm/tasks', {
      token: pmToken,
      body: {
        ...payload('from-pm'),
        metadata: {
          name: 'from-pm',
          namespace: allowed,
          annotations: { [ANNOTATIONS.submittedBy]: 'someone-else' },
        },
      },
    });
    t.equal(created.status, 201, JSON.stringify(created.body));
    const stored = await admin.request<TaskRun>('GET', taskRunPath(allowed, 'from-pm'));
    t.equal(stored.metadata?.annotations?.[ANNOTATIONS.submittedBy], pm.user, 'the run records its caller');
    t.equal(stored.metadata?.finalizers?.length, 1, 'admitted through the webhooks (defaulted)');

    t.match(await call(api, 'POST', '/api/v1/pm/tasks', { token: pmToken, body: payload('from-pm') }), {
      status: 409,
      body: { kind: 'Status', reason: 'AlreadyExists' },
    });
    t.match(
      await call(api, 'POST', `/api/v1/pm/tasks?namespace=${other}`, {
        token: pmToken,
        body: sampleTaskRun('x'),
      }),
      {
        status: 403,
        body: {
          reason: 'Forbidden',
          message: new RegExp(`cannot create resource "agenttaskruns".*"${other}"`),
        },
      },
    );
    const invalid = await call(api, 'POST', `/api/v1/namespaces/${allowed}/agenttaskruns`, {
      token: pmToken,
      body: sampleTaskRun('bad', 0, { agent: 'bob' }),
    });
    t.match(invalid, { status: 422, body: { reason: 'Invalid', details: { kind: 'TaskRun', name: 'bad' } } });
    t.same(
      invalid.body.details.causes.map((c: { field: string }) => c.field).sort(),
      ['spec.agent', 'spec.taskId'],
      'the fields admission names',
    );

    const docs = await call(api, 'POST', `/api/v1/pm/docs/generate?namespace=${allowed}`, {
      token: pmToken,
      body: {
        spec: {
          repositoryUrl: 'https://github.com/acme/payments.git',
          workingDirectory: 'docs',
          githubApp: '5DLabs-Morgan',
        },
      },
    });
    t.equal(docs.status, 201, JSON.stringify(docs.body));
    t.match(docs.body, { kind: 'DocsRun', metadata: { generateName: 'docs-docs-' } });
    const prompt = 'Fix the flaky payment test.';
    const prompted = await call(api, 'POST', `/api/v1/namespaces/${allowed}/agenttaskruns`, {
      token: pmToken,
      body: { spec: { prompt, repository: { url: 'acme/payments' } } },
    });
    t.equal(prompted.status, 201, JSON.stringify(prompted.body));
    t.match(
      prompted.body,
      {
        kind: 'TaskRun',
        metadata: { generateName: 'payments-prompt-' },
        spec: {
          serviceName: 'payments',
          taskId: promptTaskId(prompt, 'https://github.com/acme/payments', 'main'),
        },
      },
      'a prompt and a repository: named after the repository, its service and task id derived',
    );
    const code = await call(api, 'POST', `/api/v1/namespaces/${allowed}/coderuns`, {
      token: pmToken,
      body: {
        metadata: { name: 'code' },
        spec: {
          taskId: 3,
          service: 'payments',
          repositoryUrl: 'acme/payments',
          docsRepositoryUrl: 'acme/docs',
          githubApp: '5DLabs-Rex',
        },
      },
    });
    t.equal(code.status, 201, JSON.stringify(code.body));

    // What a run makes its pod use is asked of RBAC for the caller, as the webhook asks it of kubectl's
    // users (the webhook trusts the API's runs): refused with the webhook's message; an admin's admitted.
    const borrowing = {
      metadata: { name: 'borrowing' },
      spec: {
        ...code.body.spec,
        envFromSecrets: [{ name: 'DB_PASSWORD', secretName: 'db-password', secretKey: 'password' }],
        serviceAccountName: 'deployer',
        workspace: { pvcName: 'billing-data' },
      },
    };
    const cannot = (verb: string, resource: string) =>
      `User "${pm.user}" cannot ${verb} resource "${resource}" in API group "" in the namespace "${allowed}"`;
    const borrowed = await call(api, 'POST', `/api/v1/namespaces/${allowed}/coderuns`, {
      token: pmToken,
      body: borrowing,
    });
    t.match(borrowed, { status: 403, body: { kind: 'Status', reason: 'Forbidden', code: 403 } });
    t.equal(
      borrowed.body.message,
      `CodeRun.orchestrator.io "borrowing" is forbidden: [spec.envFromSecrets[0].secretName: secrets "db-password" is forbidden: ${cannot('get', 'secrets')}: the agent would read this Secret; a Role rule allowing it: {apiGroups: [""], resources: [secrets], resourceNames: [db-password], verbs: [get]}, ` +
        `spec.serviceAccountName: serviceaccounts "deployer" is forbidden: ${cannot('create', 'serviceaccounts/token')}, nor impersonate resource "serviceaccounts" in API group "" in the namespace "${allowed}": the agent's pod would run as this ServiceAccount (and with any cloud identity bound to it); a Role rule allowing it: {apiGroups: [""], resources: [serviceaccounts/token], resourceNames: [deployer], verbs: [create]} or {apiGroups: [""], resources: [serviceaccounts], resourceNames: [deployer], verbs: [impersonate]}, ` +
        `spec.workspace.pvcName: persistentvolumeclaims "billing-data" is forbidden: User "${pm.user}" cannot use resource "persistentvolumeclaims" in API group "orchestrator.io" in the namespace "${allowed}", nor ${cannot('create', 'pods').replace(/^User "[^"]*" cannot /, '')}: the agent's pod would mount this claim as its workspace; a Role rule allowing it: {apiGroups: [orchestrator.io], resources: [persistentvolumeclaims], resourceNames: [billing-data], verbs: [use]} or {apiGroups: [""], resources: [pods], verbs: [create]}]`,
    );
    t.same(
      borrowed.body.details.causes.map((c: { field: string; reason: string }) => `${c.reason} ${c.field}`),
      [
        'reference-access spec.envFromSecrets[0].secretName',
        'reference-access spec.serviceAccountName',
        'reference-access spec.workspace.pvcName',
      ],
    );
    // cluster-admin, bound in the namespace: the aggregated admin role stays empty without the aggregation controller.
    const lead = await caller(home, allowed, 'lead', 'cluster-admin');
    await waitForPermission(cluster, lead.user, ['get', 'secrets', '-n', allowed]);
    const byAdmin = await call(api, 'POST', `/api/v1/namespaces/${allowed}/coderuns`, {
      token: await token(home, 'lead', ['orchestrator']),
      body: borrowing,
    });
    t.equal(byAdmin.status, 201, JSON.stringify(byAdmin.body));

    const list = await call(api, 'GET', `/api/v1/namespaces/${allowed}/agenttaskruns`, { token: pmToken });
    t.equal(list.status, 200);
    t.same(
      list.body.items.map((i: KubeObject) => i.metadata?.name),
      ['from-pm', prompted.body.metadata.name],
    );
    t.match(
      await call(api, 'GET', `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm`, { token: pmToken }),
      {
        status: 200,
        body: { metadata: { name: 'from-pm' }, spec: { retryAttempt: 1 } },
      },
    );
    t.match(
      await call(api, 'GET', `/api/v1/namespaces/${allowed}/agenttaskruns/missing`, { token: pmToken }),
      {
        status: 404,
        body: { reason: 'NotFound' },
      },
    );
    t.match(await call(api, 'GET', `/api/v1/namespaces/${other}/agenttaskruns`, { token: pmToken }), {
      status: 403,
    });
    t.match(
      await call(api, 'POST', `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm/retry`, {
        token: pmToken,
      }),
      {
        status: 200,
        body: { spec: { retryAttempt: 2 } },
      },
    );
    t.match(
      await call(api, 'POST', `/api/v1/namespaces/${allowed}/coderuns/code/retry`, { token: pmToken }),
      {
        status: 200,
        body: { spec: { contextVersion: 2 } },
      },
    );
    t.equal(
      (await admin.request<TaskRun>('GET', taskRunPath(allowed, 'from-pm'))).metadata?.annotations?.[
        ANNOTATIONS.submittedBy
      ],
      pm.user,
      'a retry keeps the submitter',
    );
    // Another's run is retried only for a caller holding `retry` on it (src/admission/run-controls.ts):
    // peer may patch runs as pm may, and is refused; lead (cluster-admin: `*`) may.
    const peer = await caller(home, allowed, 'peer');
    await waitForPermission(cluster, peer.user, ['patch', 'agenttaskruns.orchestrator.io', '-n', allowed]);
    const retryPm = (who: string) =>
      token(home, who, ['orchestrator']).then((bearer) =>
        call(api, 'POST', `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm/retry`, { token: bearer }),
      );
    t.match(await retryPm('peer'), {
      status: 403,
      body: {
        reason: 'Forbidden',
        message: /cannot retry resource "agenttaskruns" in API group "orchestrator\.io"/,
      },
    });
    t.match(await retryPm('lead'), { status: 200, body: { spec: { retryAttempt: 3 } } });

    // Cancel as retry: the submitter may; another only with `cancel` on it; a cancelled run again is
    // the run as it is; a finished one is a conflict, and nothing is written.
    const cancelPath = (name: string) => `/api/v1/namespaces/${allowed}/agenttaskruns/${name}/cancel`;
    const cancelAs = (who: string, name: string) =>
      token(home, who, ['orchestrator']).then((bearer) =>
        call(api, 'POST', cancelPath(name), { token: bearer }),
      );
    t.match(await cancelAs('peer', 'from-pm'), {
      status: 403,
      body: {
        reason: 'Forbidden',
        message: /cannot cancel resource "agenttaskruns" in API group "orchestrator\.io"/,
      },
    });
    t.match(await call(api, 'POST', cancelPath('from-pm'), { token: pmToken }), {
      status: 200,
      body: { metadata: { name: 'from-pm' }, spec: { cancelled: true } },
    });
    t.match(await call(api, 'POST', cancelPath('from-pm'), { token: pmToken }), {
      status: 200,
      body: { spec: { cancelled: true } },
    });
    await admin.request('PATCH', `${taskRunPath(allowed, prompted.body.metadata.name)}/status`, {
      body: { status: { phase: 'Succeeded', attempt: 1 } },
      contentType: 'application/merge-patch+json',
    });
    const finished = await call(api, 'POST', cancelPath(prompted.body.metadata.name), { token: pmToken });
    t.match(finished, {
      status: 409,
      body: {
        reason: 'Conflict',
        message: /cannot be cancelled: it has already finished \(phase Succeeded\)/,
      },
    });
    t.notOk(
      (await admin.request<TaskRun>('GET', taskRunPath(allowed, prompted.body.metadata.name))).spec.cancelled,
      'a finished run is not marked',
    );
    t.match(await call(api, 'POST', cancelPath('missing'), { token: pmToken }), { status: 404 });

    // Unforgeable: written through kubectl, the annotation is the requester's, and it never changes.
    const forged = sampleTaskRun('forged');
    forged.metadata = { name: 'forged', annotations: { [ANNOTATIONS.submittedBy]: pm.user } };
    const direct = await admin.request<TaskRun>('POST', taskRunPath(allowed), { body: forged });
    const adminUser = direct.metadata?.annotations?.[ANNOTATIONS.submittedBy];
    t.not(adminUser, pm.user, 'a stated submitter is replaced by the requester');
    t.ok(adminUser, 'the admin who created it');
    const changed = await admin.request<TaskRun>('PATCH', taskRunPath(allowed, 'forged'), {
      body: { metadata: { annotations: { [ANNOTATIONS.submittedBy]: 'mallory' } } },
      contentType: 'application/merge-patch+json',
    });
    t.equal(changed.metadata?.annotations?.[ANNOTATIONS.submittedBy], adminUser, 'an update keeps it');

    for (const plural of ['coderuns', 'docsruns'])
      t.match(await call(api, 'GET', `/api/v1/namespaces/${allowed}/${plural}`, { token: pmToken }), {
        status: 200,
      });
    const docsPath = `/api/v1/namespaces/${allowed}/docsruns/${docs.body.metadata.name}`;
    t.match(await call(api, 'GET', docsPath, { token: pmToken }), { status: 200 });
    // Delete, as kubectl's: RBAC's delete verb (pm's Role has none, lead's cluster-admin has); the
    // finalizer keeps the run, marked, until the operator (not running here) cleans up.
    t.match(await call(api, 'DELETE', docsPath, { token: pmToken }), {
      status: 403,
      body: { message: /cannot delete resource "docsruns"/ },
    });
    const deleted = await call(api, 'DELETE', docsPath, {
      token: await token(home, 'lead', ['orchestrator']),
    });
    t.equal(deleted.status, 200, JSON.stringify(deleted.body));
    t.ok(deleted.body.metadata.deletionTimestamp, 'marked for deletion, its finalizer pending');
    t.ok(
      (
        await admin.request<KubeObject>(
          'GET',
          `/apis/orchestrator.io/v1/namespaces/${allowed}/docsruns/${docs.body.metadata.name}`,
        )
      ).metadata?.deletionTimestamp,
      'the apiserver holds it for the finalizer',
    );

    // The CLI through the API (--api-url): `task submit` creates, `get` lists, with the caller's token.
    const caFile = join(webhooks.certDir, 'ca.crt');
    writeFileSync(caFile, webhooks.caPem);
    const runFile = join(webhooks.certDir, 'run.yaml');
    writeFileSync(runFile, stringify(sampleTaskRun('from-cli', 9)));
    const through = ['--api-url', `https://127.0.0.1:${port}`, '--token', pmToken, '--api-ca-file', caFile];
    const submitted = await runCli(cluster, ['task', 'submit', '-f', runFile, ...through], {
      namespace: allowed,
    });
    t.match(submitted, { code: 0, stdout: 'taskrun.orchestrator.io/from-cli created\n' }, submitted.stderr);
    const refused = await runCli(cluster, ['task', 'submit', '-f', runFile, ...through], {
      namespace: other,
    });
    t.match(refused, {
      code: 1,
      stderr: /Error from server \(Forbidden\): error when creating ".*run.yaml": User ".*:pm" cannot create/,
    });
    const got = await runCli(cluster, ['get', 'otr', '-o', 'name', ...through], { namespace: allowed });
    t.same(got, {
      code: 0,
      stdout: ['forged', 'from-cli', 'from-pm', prompted.body.metadata.name]
        .map((name) => `taskrun.orchestrator.io/${name}\n`)
        .join(''),
      stderr: '',
    });
    t.equal(
      (await admin.request<TaskRun>('GET', taskRunPath(allowed, 'from-cli'))).metadata?.annotations?.[
        ANNOTATIONS.submittedBy
      ],
      pm.user,
      'submitted through the CLI by the caller',
    );
    // retry, cancel and delete through the API: its endpoints, as the caller (pm may patch, not delete).
    const verb = (...args: string[]) => runCli(cluster, [...args, ...through], { namespace: allowed });
    t.match(await verb('retry', 'otr', 'from-cli'), {
      code: 0,
      stdout: 'taskrun.orchestrator.io/from-cli retried (spec.retryAttempt now 2)\n',
    });
    t.match(await verb('cancel', 'otr/from-cli'), {
      code: 0,
      stdout: 'taskrun.orchestrator.io/from-cli cancelled\n',
    });
    t.ok(
      (await admin.request<TaskRun>('GET', taskRunPath(allowed, 'from-cli'))).spec.cancelled,
      'cancelled through the API',
    );
    t.match(await verb('delete', 'otr', 'from-cli'), {
      code: 1,
      stderr: /cannot delete resource "agenttaskruns"/,
    });
    // get -w reads the API's watch: pm's Role has no watch, so it is refused before anything is printed.
    t.match(await verb('get', 'otr', 'from-cli', '-w'), {
      code: 1,
      stdout: '',
      stderr: /cannot watch resource "agenttaskruns"/,
    });

    // A watch as server-sent events: RBAC's watch verb (pm's Role has none); the run as it is, then
    // each change, as the apiserver's watch gives them.
    const watchPath = `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm?watch=true`;
    t.match(await openEvents(api, watchPath, { token: pmToken }), {
      status: 403,
      body: { message: /cannot watch resource "agenttaskruns"/ },
    });
    const events = await openEvents(api, watchPath, { token: await token(home, 'lead', ['orchestrator']) });
    t.teardown(() => events.close());
    t.equal(events.status, 200);
    const first = await events.next();
    t.match(first, { event: 'ADDED', data: { metadata: { name: 'from-pm' } } }, 'the run as it is');
    await admin.request('PATCH', taskRunPath(allowed, 'from-pm'), {
      body: { metadata: { labels: { watched: 'yes' } } },
      contentType: 'application/merge-patch+json',
    });
    const modified = await events.next();
    t.match(
      modified,
      { event: 'MODIFIED', data: { metadata: { labels: { watched: 'yes' } } } },
      'its change',
    );
    t.not(modified?.id, first?.id, 'each event names its resourceVersion, to resume from');
    events.close();

    // A run's log: its attempt's Job and pod found as the manager, then the pod's log asked of the
    // apiserver, which cannot reach a kubelet for this pod's node (the nodes here are simulated): its
    // answer is passed on. A caller without get on pods/log is refused before any of that.
    const fromPm = await admin.request<TaskRun>('GET', taskRunPath(allowed, 'from-pm'));
    await admin.request('PATCH', `${taskRunPath(allowed, 'from-pm')}/status`, {
      body: { status: { phase: 'Running', attempt: 1, jobName: 'from-pm-job' } },
      contentType: 'application/merge-patch+json',
    });
    const controller = (apiVersion: string, kind: string, name: string, uid?: string) => [
      { apiVersion, kind, name, uid: String(uid), controller: true },
    ];
    const job = await admin.request<KubeObject>('POST', `/apis/batch/v1/namespaces/${allowed}/jobs`, {
      body: {
        metadata: {
          name: 'from-pm-job',
          ownerReferences: controller('orchestrator.io/v1', 'TaskRun', 'from-pm', fromPm.metadata?.uid),
        },
        // Suspended: the Job controller makes no pod of its own beside the one below.
        spec: {
          suspend: true,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'agent', image: 'agent' }] } },
        },
      },
    });
    const podPath = `/api/v1/namespaces/${allowed}/pods`;
    await admin.request('POST', podPath, {
      body: {
        metadata: {
          name: 'from-pm-job-abcde',
          labels: { 'batch.kubernetes.io/controller-uid': String(job.metadata?.uid) },
          ownerReferences: controller('batch/v1', 'Job', 'from-pm-job', job.metadata?.uid),
        },
        spec: { nodeName: 'no-kubelet', containers: [{ name: 'agent', image: 'agent' }] },
      },
    });
    await admin.request('PATCH', `${podPath}/from-pm-job-abcde/status`, {
      body: {
        status: {
          containerStatuses: [
            {
              name: 'agent',
              image: 'agent',
              imageID: '',
              ready: true,
              restartCount: 0,
              state: { running: { startedAt: '2026-11-30T06:00:00Z' } },
            },
          ],
        },
      },
      contentType: 'application/merge-patch+json',
    });
    const logPath = `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm/log?tailLines=10`;
    t.match(await call(api, 'GET', logPath, { token: pmToken }), {
      status: 403,
      body: { message: /cannot get resource "pods\/log"/ },
    });
    const logged = await call(api, 'GET', logPath, { token: await token(home, 'lead', ['orchestrator']) });
    t.match(
      logged,
      { body: { kind: 'Status', message: /no-kubelet/ } },
      "the apiserver's answer for the pod's log, about its node",
    );
    t.ok(logged.status >= 400, `not a log: ${logged.status}`);
    t.ok(
      client.requests.some((r) => r.subresource === 'log' && r.name === 'from-pm-job-abcde'),
      "the pod's log was asked of the apiserver as the manager",
    );
    // The CLI through the API reads the same endpoint, and says what it answered.
    t.match(await verb('logs', 'otr', 'from-pm', '--tail', '10'), {
      code: 1,
      stderr: /cannot get resource "pods\/log"/,
    });
    const leadThrough = [
      ...through.slice(0, 2),
      '--token',
      await token(home, 'lead', ['orchestrator']),
      ...through.slice(4),
    ];
    t.match(
      await runCli(cluster, ['logs', 'otr', 'from-pm', ...leadThrough], { namespace: allowed }),
      { code: 1, stderr: /no-kubelet/ },
      "the apiserver's answer about the pod's node, through the API",
    );

    // The team budgets: those of a namespace where the caller may list runs; all, at the cluster scope.
    const today = new Date().toISOString().slice(0, 10);
    t.match(await call(api, 'GET', `/api/v1/namespaces/${allowed}/budgets`, { token: pmToken }), {
      status: 200,
      body: { items: [{ name: 'team', limitUsd: '10', spentUsd: '2.5', days: [{}] }] },
    });
    const [report] = (await call(api, 'GET', `/api/v1/namespaces/${allowed}/budgets`, { token: pmToken }))
      .body.items;
    t.same(report.days.at(-1), { date: today, spentUsd: '2.5' }, "today's spend, by UTC day");
    t.match(await call(api, 'GET', `/api/v1/namespaces/${other}/budgets`, { token: pmToken }), {
      status: 403,
      body: {
        message:
          /cannot list resource "agenttaskruns", "coderuns", "docsruns" \(any of them\).* in the namespace/,
      },
    });
    t.match(await call(api, 'GET', '/api/v1/budgets', { token: pmToken }), {
      status: 403,
      body: { message: /at the cluster scope/ },
    });
    t.match(await call(api, 'GET', '/api/v1/budgets'), { status: 401 }, 'no token, no budget');

    // The run's Events, listed as the manager for a caller RBAC allows to list events there.
    const leadToken = await token(home, 'lead', ['orchestrator']);
    const at = '2026-11-30T06:00:00Z';
    await admin.request('POST', `/api/v1/namespaces/${allowed}/events`, {
      body: {
        metadata: { name: 'from-pm.started' },
        involvedObject: {
          apiVersion: 'orchestrator.io/v1',
          kind: 'TaskRun',
          name: 'from-pm',
          namespace: allowed,
          uid: fromPm.metadata?.uid,
        },
        type: 'Normal',
        reason: 'Started',
        message: 'attempt 1 started',
        count: 1,
        firstTimestamp: at,
        lastTimestamp: at,
      },
    });
    const eventsPath = `/api/v1/namespaces/${allowed}/agenttaskruns/from-pm/events`;
    t.match(await call(api, 'GET', eventsPath, { token: pmToken }), {
      status: 403,
      body: { message: /cannot list resource "events"/ },
    });
    t.match(await call(api, 'GET', eventsPath, { token: leadToken }), {
      status: 200,
      body: { items: [{ type: 'Normal', reason: 'Started', message: 'attempt 1 started', count: 1, at }] },
    });
    // The Job gone: the log the operator kept of the attempt (docs/logs.md), from the ConfigMap the
    // run's status names by its uid.
    const keptLog = await admin.request<KubeObject>('POST', `/api/v1/namespaces/${allowed}/configmaps`, {
      body: {
        metadata: { name: 'from-pm-job-log-agent' },
        binaryData: {
          [KEPT_LOG_KEY]: gzipSync('2026-11-30T06:00:01Z the agent starts\n').toString('base64'),
        },
      },
    });
    const entry = {
      attempt: 1,
      container: 'agent',
      configMap: 'from-pm-job-log-agent',
      bytes: 17,
      keptBytes: 17,
    };
    await admin.request('PATCH', `${taskRunPath(allowed, 'from-pm')}/status`, {
      body: { status: { phase: 'Failed', logs: [{ ...entry, uid: keptLog.metadata?.uid }] } },
      contentType: 'application/merge-patch+json',
    });
    await admin.request('DELETE', `/apis/batch/v1/namespaces/${allowed}/jobs/from-pm-job`, {
      body: { propagationPolicy: 'Background' },
    });
    t.match(await call(api, 'GET', logPath, { token: leadToken }), {
      status: 200,
      body: 'the agent starts\n',
    });

    // The rule's resources are derived from the kinds (every kind gets every verb; DocsRuns are never
    // patched, having no attempt field): compared per verb on the runs.
    const byVerb = (p: string) =>
      p.replace(/orchestrator\.io\/(agenttaskruns|coderuns|docsruns)$/, 'orchestrator.io/<runs>');
    const used = new Set(client.requests.map((r) => byVerb(permission(r))));
    const grants = new Set([...granted(identity.rules)].map(byVerb));
    t.same(client.forbidden, [], 'the API was never forbidden');
    t.same(difference(used, grants), [], 'every permission the API used is granted');
    t.same(difference(grants, used), [], 'every permission granted is used');
  },
);

t.test('the apiserver stopped: 503, never 500', async (t) => {
  const home = await testNamespace(t, cluster);
  const identity = await apiIdentity(t, cluster, home);
  const webhooks = await startTestWebhooks(t, cluster);
  const allowed = await testNamespace(t, cluster, webhooks.namespaceLabels);
  await caller(home, allowed);
  const extra = await startExtraApiserver(cluster);
  t.teardown(() => extra.stop());
  const base = new KubeConfig();
  base.loadFromFile(extra.kubeconfig);
  const saToken = await withClient(kubeConfig(cluster), (c) => serviceAccountToken(c, identity.sa, 3600));
  const client = new KubeClient(tokenKubeConfig(base, saToken, identity.user), {
    requestTimeoutMs: scaled(5_000),
  });
  t.teardown(() => client.close());
  const { port } = await serve(t, client, webhooks.certDir);
  const api: Target = { port, ca: webhooks.caPem };
  const pmToken = await token(home, 'pm', ['orchestrator']);
  const list = `/api/v1/namespaces/${allowed}/agenttaskruns`;
  await waitFor(
    'the caller allowed through the API',
    async () => (await call(api, 'GET', list, { token: pmToken })).status === 200,
  );

  await extra.stop();
  t.match(
    await call(api, 'GET', list, { token: pmToken }),
    {
      status: 503,
      headers: { 'retry-after': '1' },
      body: { kind: 'Status', reason: 'ServiceUnavailable' },
    },
    'authorised from the cache, the list fails: 503',
  );
  const fresh = await token(home, 'pm', ['orchestrator']);
  t.match(
    await call(api, 'POST', '/api/v1/pm/tasks', { token: fresh, body: sampleTaskRun('x') }),
    {
      status: 503,
      body: { reason: 'ServiceUnavailable' },
    },
    'a TokenReview that cannot be made: 503, not 401',
  );
  await extra.start();
  await waitFor(
    'the API serving again',
    async () => (await call(api, 'GET', list, { token: pmToken })).status === 200,
  );
});
