// The README's first command: `orchestrator run` with no cluster configured brings up the local
// control plane, installs CRDs, webhooks, the RBAC and the config, runs the manager as its
// ServiceAccount, serves probes and metrics, and stops cleanly.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import t, { type Test } from 'tap';
import { type Cluster, existingCluster } from '../../src/cluster/index.js';
import { defaultConfigFile } from '../../src/config/load.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubeConfig, kubectl } from '../harness/cluster/cluster.js';
import { processesGone } from '../harness/cluster/processes.js';
import { writeKubeletVolume } from '../harness/deploy/pod-spec.js';
import { controllerRuntimeFamilies, parityProblems } from '../harness/util/controller-runtime-metrics.js';
import { sampleSum } from '../harness/util/prometheus-text.js';
import { waitFor } from '../harness/util/wait.js';

const root = packageRoot();
const MODEL_KEY = 'sk-ant-run-local-key';
const MARKER = '<!-- from --templates-dir -->';

/** The answer of an HTTPS port (the local CA is the process's own: not checked here). */
function apiAnswer(
  port: number,
  method: string,
  path: string,
  token?: string,
): Promise<{ status: number; body: string }> {
  const headers = token ? { authorization: `Bearer ${token}` } : {};
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method, path, headers, rejectUnauthorized: false, timeout: 10_000 },
      (res) => {
        let body = '';
        res.on('data', (d) => {
          body += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within 10 s`)));
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

/** templates/ as the Deployment mounts it (a ConfigMap volume), with a marker in the TaskRun prompt. */
function mountedTemplates(): string {
  const dir = mkdtempSync(join(tmpdir(), 'run-local-templates-'));
  const source = join(root, 'templates');
  const files = new Map<string, string>();
  for (const rel of readdirSync(source, { recursive: true, encoding: 'utf8' }))
    if (statSync(join(source, rel)).isFile()) files.set(rel, readFileSync(join(source, rel), 'utf8'));
  files.set('taskrun/prompt.md.hbs', `${files.get('taskrun/prompt.md.hbs')}\n${MARKER}\n`);
  writeKubeletVolume(dir, files);
  return dir;
}

const getJson = async (cluster: Cluster, args: string[]) => {
  const got = await kubectl(cluster, ['get', ...args, '-o', 'json']);
  if (got.code !== 0) throw new Error(`kubectl get ${args.join(' ')}: ${got.stderr}`);
  return JSON.parse(got.stdout);
};

interface PodJson {
  metadata: { labels: Record<string, string> };
  spec: Record<'initContainers' | 'containers', { name: string; env?: { name: string; value?: string }[] }[]>;
}

/**
 * The shipped config's gateway and egress, as local mode runs them: the key in the operator's
 * namespace only, the sample's agent holding its attempt's token and the proxy's address, the proxy's
 * objects and the allowlist's policy applied, and the banner saying so.
 */
async function shippedProtections(
  t: Test,
  cluster: Cluster,
  banner: string,
  gateway: Record<string, unknown> | undefined,
) {
  t.equal(gateway?.model, 'https://api.anthropic.com', "the gateway forwards to Anthropic's API");
  t.match(
    banner,
    /The model gateway is on http:\/\/127\.0\.0\.1:\d+, forwarding to https:\/\/api\.anthropic\.com/,
  );
  t.match(
    banner,
    /Egress by allowlist: agents go out only through the proxy orchestrator-system\/orchestrator-egress-proxy/,
  );
  const key = await getJson(cluster, ['secret', 'orchestrator-model-api-key', '-n', 'orchestrator-system']);
  t.equal(
    Buffer.from(key.data['api-key'], 'base64').toString(),
    MODEL_KEY,
    'the key, where the gateway reads it',
  );
  const secrets = (await getJson(cluster, ['secrets', '-n', 'default'])).items as {
    data?: Record<string, string>;
  }[];
  t.notOk(
    secrets.some((s) =>
      Object.values(s.data ?? {}).some((v) => Buffer.from(v, 'base64').toString() === MODEL_KEY),
    ),
    "no Secret of the runs' namespace holds it",
  );
  for (const [kind, name] of [
    ['deployment', 'orchestrator-egress-proxy'],
    ['service', 'orchestrator-egress-proxy'],
    ['networkpolicy', 'orchestrator-egress-proxy'],
  ])
    t.equal(
      (await getJson(cluster, [kind as string, name as string, '-n', 'orchestrator-system'])).metadata.name,
      name,
      `the proxy's ${kind}`,
    );
  t.ok(
    await getJson(cluster, ['networkpolicy', 'orchestrator-egress-default', '-n', 'default']),
    "the allowlist's policy",
  );
  let pod: PodJson | undefined;
  await waitFor("the sample's pod", async () => {
    pod = (await getJson(cluster, ['pods', '-l', 'orchestrator.io/run=payments-task-7'])).items[0];
    return pod !== undefined;
  });
  // The agent runs as an init container: the publisher is the main one (docs/result-protocol.md).
  const agent = [...(pod?.spec.initContainers ?? []), ...(pod?.spec.containers ?? [])].find(
    (c) => c.name === 'agent',
  );
  const env = new Map((agent?.env ?? []).map((e) => [e.name, e.value]));
  t.notOk(env.has('ANTHROPIC_API_KEY'), 'the agent holds no model key');
  // Its attempt's token is in no object: the agent container asks the gateway for it as it starts.
  const service = 'http://orchestrator-gateway.orchestrator-system.svc:8090';
  t.notOk(env.has('ANTHROPIC_AUTH_TOKEN'), 'nor its gateway token in its spec');
  t.equal(
    env.get('ORCHESTRATOR_MODEL_TOKEN_URL'),
    `${service}/orchestrator/v1/model-token`,
    'where it asks for it',
  );
  t.notOk(
    env.has('ORCHESTRATOR_MODEL_TOKEN_VARIABLE'),
    "its CLI asks for it itself as it starts (its settings' apiKeyHelper), in no variable",
  );
  t.equal(env.get('ANTHROPIC_BASE_URL'), service);
  t.equal(env.get('HTTPS_PROXY'), 'http://orchestrator-egress-proxy.orchestrator-system.svc:3128');
  t.equal(pod?.metadata.labels['orchestrator.io/egress'], 'default', "its allowlist's policy selects it");
}

t.test('orchestrator run --local: admission works end to end and Ctrl-C stops everything', async (t) => {
  // The platform's model key as a user of `npm start` gives it (src/app/local-model-key.ts).
  const env: NodeJS.ProcessEnv = { ...process.env, ANTHROPIC_API_KEY: MODEL_KEY };
  delete env.KUBECONFIG;
  delete env.ORCHESTRATOR_MODEL_API_KEY_FILE;
  const templates = mountedTemplates();
  t.teardown(() => rmSync(templates, { recursive: true, force: true }));
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'orchestrator.js'),
      'run',
      '--webhook-port=0',
      '--metrics-bind-address=127.0.0.1:0',
      '--health-probe-bind-address=127.0.0.1:0',
      '--api-bind-address=127.0.0.1:0',
      '--gateway-bind-address=127.0.0.1:0',
      `--templates-dir=${templates}`,
    ],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      exitCode = code;
      resolve(code);
    }),
  );
  // A failed assertion must not leave the manager and its control plane running (nor the file waiting).
  t.teardown(async () => {
    if (exitCode !== undefined) return;
    child.kill('SIGINT');
    await exited;
  });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const seen: Record<string, Record<string, unknown>> = {};
  createInterface({ input: child.stdout }).on('line', (line) => {
    const entry = JSON.parse(line) as Record<string, unknown>;
    seen[String(entry.msg)] = entry;
  });
  const awaited = ['orchestrator ready', 'manager started', 'became leader'];
  await waitFor(
    `the lines ${awaited.map((m) => JSON.stringify(m)).join(', ')}`,
    (note) => {
      if (exitCode !== undefined)
        throw new Error(`exited ${exitCode} before it was ready; stderr:\n${stderr}`);
      note(`lines ${JSON.stringify(Object.keys(seen))}; stderr ends:\n${stderr.slice(-1500)}`);
      return awaited.every((msg) => seen[msg]);
    },
    { timeoutMs: 120_000 },
  );
  // Admission came first; the controller manager, scheduler, fake node and KWOK follow (cached here).
  t.match(stderr, /Runs (are admitted now|get pods once)/, 'the banner says when runs get pods');
  await waitFor('the line "workloads ready"', () =>
    Object.keys(seen).some((msg) => msg.startsWith('workloads ready')),
  );
  const kubeconfig = String(seen['orchestrator ready']?.kubeconfig);
  t.match(
    stderr,
    new RegExp(`export KUBECONFIG=${kubeconfig}`),
    'the banner tells how to point kubectl at it',
  );
  const cluster = existingCluster(kubeconfig);

  // The sample acts as a GitHub user: an App's run would wait for the App's key in the operator's
  // namespace (the operator mints its tokens), which a local cluster does not have; a user's run
  // renders and starts at once, as the banner's command applies it.
  const sample = join(root, 'config', 'samples', 'taskrun.yaml');
  t.match(readFileSync(sample, 'utf8'), /^ {4}githubUser: octocat$/m, 'the sample acts as a GitHub user');
  const applied = await kubectl(cluster, ['apply', '-f', sample]);
  t.equal(applied.code, 0, applied.stderr);
  const stored = JSON.parse((await kubectl(cluster, ['get', 'otr', 'payments-task-7', '-o', 'json'])).stdout);
  t.equal(stored.spec.agent, 'rex', 'defaulted by the webhook');
  t.same(stored.metadata.finalizers, ['taskrun.orchestrator.io/cleanup']);
  // Reconciled by the manager with the templates of --templates-dir.
  // The run's ConfigMap, found by its run label (its name ends in a hash of the run's uid).
  const files = async () =>
    (
      JSON.parse(
        (
          await kubectl(cluster, [
            'get',
            'configmap',
            '-l',
            'orchestrator.io/run=payments-task-7',
            '-o',
            'json',
          ])
        ).stdout || '{"items":[]}',
      ) as { items: { data?: Record<string, string> }[] }
    ).items[0] ?? {};
  await waitFor('the run ConfigMap', async () => Boolean((await files()).data));
  t.match((await files()).data?.['prompt.md'], MARKER, 'rendered from --templates-dir');
  await shippedProtections(t, cluster, stderr, seen['gateway listening']);
  const denied = await kubectl(cluster, [
    'apply',
    '-f',
    join(root, 'config', 'samples', 'invalid', 'unknown-agent.yaml'),
  ]);
  t.match(denied.stderr, /admission webhook "vtaskrun\.orchestrator\.io" denied the request: .*spec\.agent/);

  // The manager runs as the ServiceAccount of config/rbac, whose rules the local control plane holds.
  const sa = 'system:serviceaccount:orchestrator-system:orchestrator';
  t.equal(seen['manager client authenticated']?.user, sa, 'the manager authenticates as the SA');
  const canI = async (...args: string[]) =>
    (await kubectl(cluster, ['auth', 'can-i', ...args, `--as=${sa}`])).stdout.trim();
  t.equal(await canI('create', 'jobs.batch', '-n', 'default'), 'yes', 'config/rbac applied');
  t.equal(await canI('delete', 'namespaces'), 'no', 'and nothing more');
  // config/admission-policy: the Job and ConfigMaps counted below are the manager's, admitted by it.
  const policy = await kubectl(cluster, [
    'get',
    'validatingadmissionpolicybinding',
    'orchestrator-run-objects',
  ]);
  t.equal(policy.code, 0, `the admission policy on the operator's objects is bound: ${policy.stderr}`);
  const configMap = JSON.parse(
    (
      await kubectl(cluster, [
        'get',
        'configmap',
        'orchestrator-config',
        '-n',
        'orchestrator-system',
        '-o',
        'json',
      ])
    ).stdout,
  );
  t.equal(
    configMap.data['controller-config.yaml'],
    readFileSync(defaultConfigFile(), 'utf8'),
    'the config as a ConfigMap',
  );

  const probes = Number(seen['manager started']?.probesPort);
  const metrics = Number(seen['manager started']?.metricsPort);
  const ready = await fetch(`http://127.0.0.1:${probes}/readyz`);
  t.equal(ready.status, 200, 'ready: caches synced and the webhook serving');
  // HTTPS, as in a cluster; the local admin (system:masters) may get /metrics.
  const admin = kubeConfig(cluster).getCurrentUser()?.token;
  t.equal((await apiAnswer(metrics, 'GET', '/metrics')).status, 401, 'metrics need a token');
  const scrape = async () => (await apiAnswer(metrics, 'GET', '/metrics', admin)).body;
  // The Job follows the ConfigMap in the same reconcile.
  await waitFor(
    'the Job to be counted',
    async () => sampleSum(await scrape(), 'taskrun_jobs_created_total') >= 1,
  );
  const scraped = await scrape();
  const count = (name: string, labels: Record<string, string> = {}) => sampleSum(scraped, name, labels);
  const mutate = { webhook: '/mutate-orchestrator-io-v1-taskrun', code: '200' };
  t.ok(count('controller_runtime_webhook_requests_total', mutate) >= 1, 'webhooks labelled by path');
  t.equal(count('leader_election_master_status', { name: 'orchestrator-leader' }), 1);
  t.ok(count('rest_client_requests_total', { method: 'POST', code: '201' }) >= 2, 'the API calls it made');
  t.ok(count('rest_client_requests_total', { method: 'GET', code: '200' }) >= 1, 'lists and watches');
  t.ok(count('certwatcher_read_certificate_total') >= 1, 'the serving certificate read');
  t.equal(count('certwatcher_read_certificate_errors_total'), 0);
  t.ok(count('taskrun_reconciliations_total') >= 1, "the TaskRun design's counters");
  t.ok(count('taskrun_reconciliation_duration_seconds_count') >= 1);
  // The attempt's ConfigMap, and the namespace's agent-shell ConfigMap that its first attempt makes.
  t.equal(count('taskrun_configmaps_created_total'), 2, "the attempt's and the agent shell's ConfigMaps");
  t.equal(count('taskrun_jobs_created_total'), 1);
  t.equal(count('controller_runtime_reconcile_panics_total'), 0);
  t.equal(count('controller_runtime_reconcile_timeouts_total'), 0);
  // Names, types and labels as controller-runtime's, for every family both have.
  const parity = parityProblems(scraped);
  t.same(parity.problems, [], `${parity.common.length} families as controller-runtime's`);
  t.same(
    [...controllerRuntimeFamilies().keys()].filter((name) => !parity.common.includes(name)),
    ['controller_runtime_conversion_webhook_panics_total', 'leader_election_slowpath_total'],
    'the only ones we lack: no conversion webhook, and no client-go slow path',
  );

  // The REST API's port serves the GitHub webhook too; with no secret configured (the default) it is off.
  const apiPort = Number(seen['orchestrator ready']?.apiPort);
  t.equal((await apiAnswer(apiPort, 'GET', '/health')).status, 200, 'the REST API answers its probe');
  t.equal((await apiAnswer(apiPort, 'GET', '/api/v1/agenttaskruns')).status, 401, 'runs need a token');
  const github = await apiAnswer(apiPort, 'POST', '/webhook/github');
  t.equal(github.status, 404, `the GitHub webhook is mounted and off without a secret: ${github.body}`);

  const dir = kubeconfig.replace(/\/kubeconfig$/, '');
  t.equal(child.exitCode, null, 'still running');
  child.kill('SIGINT');
  t.equal(await exited, 0, 'exits 0 after a graceful stop');
  t.same(await processesGone(dir), [], 'the control plane stopped with it');
});
