// GitHub App runs get operator-minted tokens, on the real apiserver and Job controller, against the
// GitHub stand-in (test/harness/remote/github-api: every call checked against GitHub's published REST
// description, the App's JWT verified with its public key). The App's key is a Secret in the
// operator's namespace only; the attempt's pod mounts its own token Secret and nothing of the key;
// the token is renewed before it expires (the stand-in's tokens last seconds here); it is revoked
// when the attempt ends and when the run is deleted; minting failures leave the run Pending (or, once
// the grace period is over for what will not heal, Failed) saying why.
import { Registry } from 'prom-client';
import t, { type Test } from 'tap';
import type { TaskRun, TaskRunStatus } from '../../src/api/index.js';
import { AppKeys, TokenBroker } from '../../src/github/app-tokens/index.js';
import { type KubeClient, type KubeObject, resourcePath, SECRETS } from '../../src/runtime/index.js';
import {
  APP_KEY_SECRETS,
  finishJob,
  httpStatusOf,
  sampleTaskRun,
  startOperator,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import { reconcileSuite } from '../harness/operator/reconcile-suite.js';
import { runPod } from '../harness/operator/run-pods.js';
import { githubAppFixture } from '../harness/remote/github-api/apps.js';
import { startGithubApi } from '../harness/remote/github-api/server.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const suite = await reconcileSuite();
const { cluster } = suite;

/** Tokens last this long at the stand-in: renewed after two thirds of it. */
const LIFETIME_MS = scaled(9_000);

type Secret = KubeObject & { data?: Record<string, string> };

async function setup(t: Test) {
  const ops = await suite.namespace(t);
  const runs = await suite.namespace(t);
  const admin = suite.admin(t, { requestTimeoutMs: scaled(10_000) });
  const app = githubAppFixture({ tokenLifetimeMs: LIFETIME_MS });
  app.installations.set('acme', { id: 21, repositories: ['payments', 'payments-docs'] });
  const api = await startGithubApi(t, app.routes);
  // The App's key, in the operator's namespace only, under the shipped config's name.
  await admin.request('POST', resourcePath(SECRETS, ops), {
    body: {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'github-app-5dlabs-rex' },
      stringData: { 'app-id': String(app.appId), 'private-key': app.privateKey },
    },
  });
  const config = testConfig((c) => {
    c.job.stuckPodGraceSeconds = Math.ceil(scaled(20_000) / 1000);
  });
  const registry = new Registry();
  const githubTokens = new TokenBroker({
    keys: new AppKeys(admin, ops, () => APP_KEY_SECRETS),
    apiUrl: () => api.url,
    registry,
  });
  const operator = await startOperator(t, cluster, runs, config, { githubTokens, registry });
  return { ops, runs, admin, app, api, operator, registry };
}

const secretPath = (namespace: string, name?: string) => resourcePath(SECRETS, namespace, name);
const tokenOf = (s: Secret | undefined, key = 'token') =>
  s?.data?.[key] ? Buffer.from(s.data[key], 'base64').toString('utf8') : undefined;
const getSecret = (c: KubeClient, ns: string, name: string) =>
  c.request<Secret>('GET', secretPath(ns, name)).catch(() => undefined);
const status = async (c: KubeClient, ns: string, name: string) =>
  (await c.request<{ status?: TaskRunStatus }>('GET', taskRunPath(ns, name))).status;
const succeeded = (s: TaskRunStatus | undefined) => s?.conditions?.find((c) => c.type === 'Succeeded');

t.test(
  'an App attempt: its write and read-only tokens in one Secret, each mounted for its phase, renewed, revoked at its end',
  async (t) => {
    const { runs, admin, app, registry } = await setup(t);
    await admin.request('POST', taskRunPath(runs), { body: sampleTaskRun('app-run') });
    const pod = await runPod(admin, 'TaskRun', runs, 'app-run');
    const jobName = (await status(admin, runs, 'app-run'))?.jobName ?? '';
    const name = `${jobName}-github-token`;
    type Container = {
      name: string;
      env?: Array<{ name: string }>;
      volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
    };
    const spec = pod.spec as {
      initContainers: Container[];
      containers: Container[];
      volumes: Array<{ name: string; secret?: { secretName: string; items?: { key: string }[] } }>;
    };
    const container = (n: string) => [...spec.initContainers, ...spec.containers].find((c) => c.name === n);
    for (const [phase, key, holder] of [
      ['read', 'read-token', 'prepare-workspace'],
      ['write', 'token', 'publish'],
    ] as const) {
      t.match(
        spec.volumes.find((v) => v.name === `github-token-${phase}`)?.secret,
        { secretName: name, items: [{ key }] },
        `the pod mounts the attempt's ${phase} token`,
      );
      t.match(
        container(holder)?.volumeMounts?.find((m) => m.name === `github-token-${phase}`),
        {
          readOnly: true,
        },
      );
      t.ok(container(holder)?.env?.some((e) => e.name === 'GITHUB_APP_TOKEN_FILE'));
    }
    const agent = container('agent');
    t.notOk(
      agent?.volumeMounts?.some((m) => m.name.startsWith('github-')),
      "the agent's container mounts no token",
    );
    t.notOk(
      agent?.env?.some((e) => e.name.startsWith('GITHUB_')),
      "and has no token's variable",
    );
    t.notMatch(
      JSON.stringify(pod.spec),
      /GITHUB_APP_PRIVATE_KEY|GITHUB_APP_ID|github-app-5dlabs/,
      'nothing of the key',
    );
    const run = await admin.request<TaskRun>('GET', taskRunPath(runs, 'app-run'));

    const first = await getSecret(admin, runs, name);
    t.match(first?.metadata, {
      labels: { 'orchestrator.io/credential': 'github-app-token', 'orchestrator.io/run': 'app-run' },
      ownerReferences: [{ uid: run.metadata?.uid, controller: true }],
    });
    const firstToken = tokenOf(first) ?? '';
    const issued = app.issued(firstToken);
    t.same(issued?.repositories, ['payments'], 'scoped to the run’s repository');
    t.same(issued?.permissions, { contents: 'write', pull_requests: 'write', metadata: 'read' });
    const readToken = tokenOf(first, 'read-token') ?? '';
    t.match(app.issued(readToken), {
      repositories: ['payments'],
      permissions: { contents: 'read', metadata: 'read' },
    });
    t.not(readToken, firstToken, 'two tokens');
    t.ok(first?.metadata?.annotations?.['orchestrator.io/github-token-expires-at'], 'its expiry recorded');

    // Renewed before it expires, twice, in the same Secret (the mounted file follows it).
    const renewed = await waitFor('the token renewed twice', async (note) => {
      const tokens = app.tokens.filter((x) => x.repositories?.includes('payments')).length;
      note(`${tokens} tokens issued`);
      return tokens >= 6 ? getSecret(admin, runs, name) : undefined;
    });
    const current = tokenOf(renewed) ?? '';
    t.not(current, firstToken, 'the Secret holds a new token');
    t.ok(app.issued(current), 'one the stand-in issued');

    await finishJob(admin, runs, jobName, 'Complete');
    await waitFor('Succeeded', async () => (await status(admin, runs, 'app-run'))?.phase === 'Succeeded');
    await waitFor(
      'the token Secret deleted',
      async () => (await httpStatusOf(admin.request('GET', secretPath(runs, name)))) === 404,
    );
    // The Secret's last tokens, the last issued (earlier ones were left to expire: the mounted file may
    // lag a renewal; and a renewal may come after `renewed` was read).
    const last = (readOnly: boolean) =>
      app.tokens
        .filter((x) => x.repositories?.includes('payments'))
        .filter((x) => (x.permissions?.contents === 'read') === readOnly)
        .at(-1);
    t.equal(last(false)?.revoked, true, 'the last write token was revoked at GitHub');
    t.equal(last(true)?.revoked, true, 'and the last read-only one');
    const metrics = await registry.getSingleMetricAsString('orchestrator_github_token_requests_total');
    t.match(metrics, /operation="revoke",outcome="ok"/);
    t.notMatch(metrics, current);
  },
);

t.test('deleting the run revokes its token before the finalizer goes', async (t) => {
  const { runs, admin, app } = await setup(t);
  await admin.request('POST', taskRunPath(runs), { body: sampleTaskRun('deleted') });
  const jobName = await waitFor('a Job', async () => (await status(admin, runs, 'deleted'))?.jobName);
  const secret = await waitFor('a token', async () => getSecret(admin, runs, `${jobName}-github-token`));
  const token = tokenOf(secret) ?? '';
  await admin.request('DELETE', taskRunPath(runs, 'deleted'));
  await waitFor(
    'the run gone',
    async () => (await httpStatusOf(admin.request('GET', taskRunPath(runs, 'deleted')))) === 404,
  );
  t.equal(app.issued(token)?.revoked, true, 'revoked at GitHub');
  t.equal(app.issued(tokenOf(secret, 'read-token') ?? '')?.revoked, true, 'the read-only one too');
  t.equal(await httpStatusOf(admin.request('GET', secretPath(runs, `${jobName}-github-token`))), 404);
});

t.test('failures say why: not installed fails after the grace period; a rate limit heals', async (t) => {
  const { runs, admin, app } = await setup(t);
  const elsewhere = sampleTaskRun('elsewhere', 8, {
    repository: { url: 'https://github.com/stranger/tools.git' },
  });
  await admin.request('POST', taskRunPath(runs), { body: elsewhere });
  const pending = await waitFor('Pending with the reason', async () => {
    const s = await status(admin, runs, 'elsewhere');
    return succeeded(s)?.reason === 'GithubAppNotInstalled' ? s : undefined;
  });
  t.equal(pending.phase, 'Pending');
  t.match(pending.message, /not installed on stranger/);
  t.match(pending.message, /failing the attempt at .* unless this is fixed/);
  // The reconcile records its Events after the status write, so a reader can see the status first.
  const warned = await waitFor('a Warning Event GithubAppNotInstalled', async () => {
    const events = await admin.request<{ items: Array<{ reason?: string; type?: string }> }>(
      'GET',
      `/api/v1/namespaces/${runs}/events`,
    );
    return (
      events.items.some((e) => e.reason === 'GithubAppNotInstalled' && e.type === 'Warning') || undefined
    );
  });
  t.ok(warned, 'a Warning Event');
  const failed = await waitFor(
    'Failed after the grace period',
    async () => {
      const s = await status(admin, runs, 'elsewhere');
      return s?.phase === 'Failed' ? s : undefined;
    },
    { timeoutMs: 90_000 },
  );
  t.equal(succeeded(failed)?.reason, 'GithubAppNotInstalled');
  t.notOk(
    failed.jobName &&
      (await httpStatusOf(
        admin.request('GET', `/apis/batch/v1/namespaces/${runs}/jobs/${failed.jobName}`),
      )) === 200,
    'no Job was made',
  );

  // Rate limited once: Pending with the reason, then the token and the Job.
  app.faults.push('rateLimited');
  await admin.request('POST', taskRunPath(runs), {
    body: sampleTaskRun('limited', 9, { serviceName: 'other' }),
  });
  await waitFor(
    'Pending: rate limited',
    async () => succeeded(await status(admin, runs, 'limited'))?.reason === 'GithubRateLimited',
  );
  await waitFor(
    'Running once the limit resets',
    async () => (await status(admin, runs, 'limited'))?.phase === 'Running',
  );
});
