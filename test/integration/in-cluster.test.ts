// The operator as its users deploy it (docs/install.md, docs/helm.md), on the local cluster's real node:
// its own image built from the Dockerfile, `kubectl apply -k` of an overlay of config/default with the
// certificate of `orchestrator certs`, two replicas as pods behind the webhook Service, scraped by a real
// Prometheus with the ServiceMonitor's settings, the model gateway on; then what a platform team does to
// it: 500 runs, a rolling restart under a stream of admission requests, one attempt's model calls
// spread over both pods and the leader's pod deleted mid-stream, the leader's pod deleted while a real
// agent runs, and a release published to a local registry (the three images and the chart as an OCI
// artifact) installed by following docs/first-run.md (whose install is docs/install.md's), the node
// pulling every image from it, the guide's TaskRun and a CodeRun taken to their pull requests, upgraded
// and uninstalled. Every figure the note asks for is
// printed as a comment (the memory the kubelet reports, apply to admitting, failover, failures).
// Needs root and the real node's packages; builds the images on first use (minutes; cached).
// @lane real-node
// @needs node agent-image operator-image helm
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { AGENT_ENV } from '../../src/api/index.js';
import { runPath } from '../../src/cli/kinds.js';
import { buildOperatorImage } from '../../src/cluster/index.js';
import type { PriceTable } from '../../src/gateway/prices.js';
import { type KubeObject, PODS, resourcePath } from '../../src/runtime/index.js';
import { review } from '../fuzz/reviews.js';
import { e2eCodeRun, NODE_GATEWAY, suiteConfig, suiteSecrets, taskDocs } from '../harness/agent/agent-e2e.js';
import { agentSuite } from '../harness/agent/agent-world.js';
import type { FollowedGuide } from '../harness/agent/first-run-guide.js';
import { testNamespace, testNamespaceName } from '../harness/cluster/cluster.js';
import { egressProxyImage } from '../harness/cluster/egress.js';
import { RESTRICTED_CONTAINER, RESTRICTED_POD, untilPodDone } from '../harness/cluster/real-node.js';
import { createSecret } from '../harness/cluster/secrets.js';
import { followAfterInstall, type GuideWorld, installByGuide } from '../harness/deploy/first-run-release.js';
import { helmLifecycle } from '../harness/deploy/helm-lifecycle.js';
import {
  dryRunCreate,
  gatewayServiceUrl,
  installCertificate,
  installedConfigMap,
  kubectlOk,
  leaseHolder,
  managerMemory,
  managerPods,
  patchCaBundles,
  podGateway,
  podPatch,
  SYSTEM_NAMESPACE,
  sampleTaskRun,
  untilAdmitting,
  untilReplicasReady,
  writeOverlay,
} from '../harness/deploy/in-cluster.js';
import { prometheusQuery } from '../harness/deploy/monitoring.js';
import { startRegistry } from '../harness/deploy/registry.js';
import {
  imageName,
  publishRelease,
  pushIndex,
  releaseCosign,
  releasedImages,
} from '../harness/deploy/release.js';
import { scrapeReplicas } from '../harness/deploy/scrape-replicas.js';
import {
  attemptToken,
  billedTotals,
  gatewayCall,
  gatewayConfig,
  ledgerRows,
  ledgerTotals,
  messagesBody,
} from '../harness/operator/gateway.js';
import { applyInvalidRun } from '../harness/operator/installed-replicas.js';
import { taskRunJob } from '../harness/operator/operator.js';
import { say, tool } from '../harness/remote/model-script.js';
import { ModelStandin } from '../harness/remote/model-standin.js';
import { scaled, waitFor } from '../harness/util/wait.js';

t.setTimeout(scaled(60 * 60_000));
const USER = { name: 'swe-1', token: 'ghp_inClusterToken0123456789' };
const API_KEY = 'sk-ant-in-cluster-key';
const LOAD_NAMESPACE = 'in-cluster-load';
const LOAD_RUNS = 500;
// The stand-in's answer to calls without tools (the CLI's side queries, the gateway test's calls): ten
// text events, so that a paced stream (an event a second) outlasts the deleted pod's --shutdown-delay.
const ANSWER = 'The retries are raised to five and the tests pass. '.repeat(3);

const operator = await buildOperatorImage({ progress: (step) => t.comment(`operator image: ${step}`) });
// The registry a release is published to, standing in for ghcr.io (the released names' host) and for
// the user's own registry, which holds their agent image trusting their CA (docs/install.md).
const released = releasedImages();
const USER_AGENT_IMAGE = `registry.acme.test/platform/orchestrator-agent-ca:${released.agent.tag}`;
const registryDir = mkdtempSync(join(tmpdir(), 'release-registry-'));
t.teardown(() => rmSync(registryDir, { recursive: true, force: true }));
const registry = await startRegistry(t, registryDir);
const mirrors = { [released.operator.host]: registry.url, [imageName(USER_AGENT_IMAGE).host]: registry.url };
const suite = await agentSuite(t, USER, API_KEY, [operator], mirrors);
const { cluster, client, git, work } = suite;
const node = ((await client.request<{ items: KubeObject[] }>('GET', '/api/v1/nodes')).items[0]?.metadata
  ?.name ?? '') as string;
// The model the agents talk to (the failover's CodeRun, the first-run guide's TaskRun, the release's
// CodeRun): one edit each, then the end.
const edit = [
  tool('Bash', { command: 'printf "retries: 3\\n" > RETRIES.md', description: 'edit' }),
  say('Wrote RETRIES.md.'),
];
const model = new ModelStandin({
  script: [...edit, ...edit, ...edit],
  apiKey: API_KEY,
  aside: () => say(ANSWER),
});
const modelUrl = await model.listen(0, NODE_GATEWAY);
t.teardown(() => model.close());
// The install's config: the suite's agents and hosts, and a spent budget for the load's namespace, so
// that its 500 runs are reconciled (admitted, status written, held Pending) without 500 agent pods.
const config = suiteConfig(suite.image, modelUrl, new URL(git.server.base).host);
// The model gateway on, as a platform team runs it: the agents reach its Service (with a token of
// their attempt), the pods the stand-in (with the platform's key, a Secret of the operator's namespace).
delete config.job.env?.[AGENT_ENV.gatewayUrl];
gatewayConfig(config, modelUrl, { bind: config.gateway.bindAddress, url: gatewayServiceUrl(config) });
config.budgets = [{ name: 'in-cluster-load', namespaces: [LOAD_NAMESPACE], limitUsd: '0', window: 'month' }];
let caPem = '';
const overlay = writeOverlay(work, operator, config);
const repository = { url: `${git.server.base}/acme/load.git`, githubUser: USER.name };
const run = (name: string) => sampleTaskRun(name, repository);

const runsOf = (ns: string) =>
  client.request<{ items: KubeObject[] }>('GET', `/apis/orchestrator.io/v1/namespaces/${ns}/agenttaskruns`);

t.test('kubectl apply -k: two replicas as pods, the webhooks reached through the Service', async (t) => {
  caPem = await installCertificate(cluster, work);
  const key = config.gateway.upstream.apiKey;
  await createSecret(client, SYSTEM_NAMESPACE, key.name, { [key.key]: API_KEY });
  const started = Date.now();
  await kubectlOk(cluster, ['apply', '--server-side', '-k', overlay]);
  await patchCaBundles(cluster, caPem);
  const ns = await testNamespace(t, cluster);
  await untilAdmitting(client, ns, run('probe'), 'a run admitted through the webhook Service');
  t.comment(`apply -k to the first run admitted: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const pods = await untilReplicasReady(client, 2);
  t.equal(pods.length, 2, 'two manager pods ready (their image started as user 65532, read-only root)');
  const denied = await applyInvalidRun(cluster, ns);
  t.not(denied.code, 0, 'an invalid run is refused through the Service');
  t.match(denied.stderr, /denied the request: .*spec\.agent/);
  const pdb = JSON.parse(
    (await kubectlOk(cluster, ['-n', SYSTEM_NAMESPACE, 'get', 'pdb', 'orchestrator', '-o', 'json'])).stdout,
  );
  t.match(pdb.status, { currentHealthy: 2, disruptionsAllowed: 1 }, 'the PodDisruptionBudget counts both');
});

t.test("a real Prometheus scrapes both replicas with the ServiceMonitor's settings", async (t) => {
  const targets = (await managerPods(client)).map((p) => `${p.ip}:8080`);
  const { port, scheme, up } = await scrapeReplicas(t, cluster, targets, caPem, work);
  t.equal(up.length, 2, `scraped over ${scheme} with a bearer token: ${targets.join(', ')}`);
  // A scrape may come before the first replica took the Lease (0); two leaders at once is the failure.
  const leaders = await waitFor(
    'a scrape after a replica took the Lease',
    async (note) => {
      const leader = await prometheusQuery(port, 'sum(leader_election_master_status{job="orchestrator"})');
      const sum = leader.result[0]?.value[1];
      note({ sum });
      return sum !== undefined && sum !== '0' ? sum : undefined;
    },
    { timeoutMs: 300_000, intervalMs: 2000 },
  );
  t.equal(leaders, '1', 'exactly one replica reports itself leader');
});

t.test('a config change by ConfigMap reaches both replicas', async (t) => {
  const configMap = await installedConfigMap(client);
  const changed = parse(configMap.data['controller-config.yaml'] ?? '') as { workspace?: { size?: string } };
  changed.workspace = { ...changed.workspace, size: '12Gi' };
  configMap.data['controller-config.yaml'] = stringify(changed);
  await client.request(
    'PUT',
    `/api/v1/namespaces/${SYSTEM_NAMESPACE}/configmaps/${configMap.metadata?.name}`,
    {
      body: configMap,
    },
  );
  const workspaceSize = async (ip: string) =>
    (
      (await podPatch(ip, caPem, review('TaskRun'))).find((op) => op.path === '/spec/workspace')?.value as
        | { size?: string }
        | undefined
    )?.size;
  for (const pod of await managerPods(client))
    await waitFor(
      `${pod.name} defaults a run's workspace to 12Gi (the kubelet updates the mounted ConfigMap, the replica reloads it)`,
      async (note) => {
        // A request the replica does not answer is seen again, not the end of the wait.
        const size = await workspaceSize(pod.ip).catch((err: Error) => err.message);
        note(size);
        return size === '12Gi';
      },
      { timeoutMs: 300_000, intervalMs: 2000 },
    );
  t.pass('both replicas default with the changed config, without a restart');
});

t.test(
  `${LOAD_RUNS} runs: admitted, reconciled and held by the spent budget; memory before and after`,
  async (t) => {
    const idle = await managerMemory(client, node);
    await kubectlOk(cluster, ['create', 'namespace', LOAD_NAMESPACE]);
    await suiteSecrets(client, LOAD_NAMESPACE, config, USER, API_KEY);
    const started = Date.now();
    for (let i = 0; i < LOAD_RUNS; i += 10)
      await Promise.all(
        Array.from({ length: 10 }, (_, j) =>
          client.request('POST', `/apis/orchestrator.io/v1/namespaces/${LOAD_NAMESPACE}/agenttaskruns`, {
            body: run(`load-${i + j}`),
          }),
        ),
      );
    const held = await waitFor(
      `all ${LOAD_RUNS} runs held Pending by the budget (JobCreated reason BudgetExhausted)`,
      async (note) => {
        const runs = (await runsOf(LOAD_NAMESPACE)).items;
        const count = runs.filter((r) =>
          ((r.status as { conditions?: Array<{ type: string; reason?: string }> })?.conditions ?? []).some(
            (c) => c.type === 'JobCreated' && c.reason === 'BudgetExhausted',
          ),
        ).length;
        note(`${count} of ${runs.length}`);
        return count === LOAD_RUNS ? runs : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 1000 },
    );
    t.equal(held.length, LOAD_RUNS);
    t.comment(`${LOAD_RUNS} created and reconciled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const after = await managerMemory(client, node);
    t.comment(
      `manager memory (kubelet summary, MiB; the leader ${await leaseHolder(client)}) idle: ${JSON.stringify(idle)}; after: ${JSON.stringify(after)}`,
    );
    for (const [pod, memory] of Object.entries(after))
      t.ok(memory.workingSetMiB > 0 && memory.workingSetMiB < 512, `${pod} within its 512Mi limit`);
    // Deleted while the operator runs, so that their finalizers come off (docs/install.md): on a loaded
    // machine that took over 180 s, so kubectl's own limit bounds the wait, inside the process's.
    await kubectlOk(
      cluster,
      ['delete', 'namespace', LOAD_NAMESPACE, `--timeout=${scaled(600)}s`],
      undefined,
      660_000,
    );
  },
);

t.test('kubectl rollout restart under a stream of admission requests: none denied or failed', async (t) => {
  const ns = await testNamespace(t, cluster);
  const before = (await managerPods(client)).map((p) => p.name);
  let stop = false;
  let admitted = 0;
  const failures: string[] = [];
  let n = 0;
  const submitter = async () => {
    while (!stop) {
      const failure = await dryRunCreate(client, ns, run(`roll-${n++}`));
      if (failure) failures.push(failure);
      else admitted++;
    }
  };
  const submitters = [submitter(), submitter()];
  await kubectlOk(cluster, ['-n', SYSTEM_NAMESPACE, 'rollout', 'restart', 'deployment/orchestrator']);
  await kubectlOk(cluster, [
    ...['-n', SYSTEM_NAMESPACE, 'rollout', 'status', 'deployment/orchestrator'],
    `--timeout=${scaled(600)}s`,
  ]);
  // A terminating pod drains for its shutdown delay, then its manager stops (up to 30 s).
  await waitFor(
    'the old pods are gone',
    async () => (await managerPods(client)).every((p) => !before.includes(p.name)),
    { timeoutMs: 180_000 },
  );
  stop = true;
  await Promise.all(submitters);
  t.comment(`rolling restart: ${admitted} dry-run creates admitted, ${failures.length} failed`);
  t.ok(admitted > 0, 'requests were admitted throughout');
  t.same(failures, [], 'no admission request was denied or failed');
  await untilReplicasReady(client, 2);
});

t.test(
  "the model gateway in both pods: one attempt's calls over both, the leader's pod deleted mid-stream, the ledger exact",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    // No pod may start in the namespace: the attempt's Job stays active without an agent (a refusal
    // that waiting may heal), and the test makes the agent's calls with the attempt's token.
    await client.request('POST', `/api/v1/namespaces/${ns}/resourcequotas`, {
      body: {
        apiVersion: 'v1',
        kind: 'ResourceQuota',
        metadata: { name: 'no-pods' },
        spec: { hard: { pods: '0' } },
      },
    });
    await suiteSecrets(client, ns, config, USER, API_KEY);
    await client.request('POST', `/apis/orchestrator.io/v1/namespaces/${ns}/agenttaskruns`, {
      body: run('spread'),
    });
    const job = await taskRunJob(client, ns, 'spread');
    const token = await attemptToken(client, SYSTEM_NAMESPACE, ns, job);
    const pods = await untilReplicasReady(client, 2);
    const before = model.requests.length;
    const body = messagesBody({ stream: true });
    for (let i = 0; i < 6; i++) {
      const pod = pods[i % 2] as (typeof pods)[number];
      const answer = await gatewayCall(podGateway(pod.ip), token, body);
      t.equal(answer.status, 200, `call ${i + 1}, on ${pod.name}: ${answer.text.slice(0, 200)}`);
      t.match(answer.text, /event: message_stop/);
    }

    // A stream in flight on the leader's pod when it is deleted: the kubelet's SIGTERM, the pod's grace.
    const leader = (await leaseHolder(client)) ?? '';
    const leaderPod = pods.find((p) => p.name === leader);
    if (!leaderPod) throw new Error(`the Lease holder ${leader} is not one of the two pods`);
    model.eventDelayMs = 1000;
    const inFlight = gatewayCall(podGateway(leaderPod.ip), token, body);
    await waitFor('the stream has begun at the stand-in', () => model.requests.length === before + 7);
    await kubectlOk(cluster, ['-n', SYSTEM_NAMESPACE, 'delete', 'pod', leader, '--wait=false']);
    const last = await inFlight.finally(() => {
      model.eventDelayMs = 0;
    });
    t.equal(last.status, 200);
    t.match(last.text, /event: message_stop/, "the deleted leader's stream ran on to its end");
    await waitFor(
      'another replica holds the Lease and the deleted pod is gone',
      async () => {
        const holder = await leaseHolder(client);
        const names = (await managerPods(client)).map((p) => p.name);
        return holder !== undefined && holder !== leader && !names.includes(leader);
      },
      // The pod drains for its shutdown delay and the stream, within its 45 s grace.
      { timeoutMs: 180_000, intervalMs: 500 },
    );
    // What the stand-in billed, priced as the gateway prices it, is what the ledger holds for the
    // attempt once the other pod leads: the deleted pod's calls too, and none counted twice.
    const expected = billedTotals(model.requests.slice(before), config.gateway.prices as PriceTable);
    t.equal(expected.calls, 7, 'seven calls reached the model');
    const attempt = async () =>
      (await ledgerRows(client, SYSTEM_NAMESPACE)).filter((r) => r.namespace === ns && r.run === 'spread');
    const rows = await waitFor("the ledger holds the attempt's seven calls", async (note) => {
      const rows = await attempt();
      note(rows);
      return ledgerTotals(rows).calls >= 7 ? rows : undefined;
    });
    t.same(ledgerTotals(rows), expected, 'the ledger equals what the model billed');
    t.ok(expected.costMicros > 0);
    await untilReplicasReady(client, 2);
  },
);

/**
 * A CodeRun `<repo>-7` of task 7 on the repository acme/<repo> (its docs beside it), in a namespace
 * of its own holding the suite's secrets, created through the installed webhooks (the mutating one
 * fills the defaults); its namespace.
 */
async function startCodeRun(t: Test, repoName: string): Promise<string> {
  const ns = await testNamespace(t, cluster);
  await suiteSecrets(client, ns, config, USER, API_KEY);
  const repo = git.repository(`acme/${repoName}.git`, 'main', { 'README.md': `# ${repoName}\n` });
  const docs = git.repository(
    `acme/${repoName}-docs.git`,
    'main',
    taskDocs('projects/payments', 7, '# Retries\n'),
  );
  await client.request('POST', runPath('CodeRun', ns), {
    body: e2eCodeRun(USER.name, `${repoName}-7`, repo, docs),
  });
  return ns;
}

t.test('a CodeRun through the installed pods: the real agent, the leader deleted mid-run', async (t) => {
  const before = model.requests.length;
  const ns = await startCodeRun(t, 'payments');
  const status = async () =>
    ((await client.request<KubeObject>('GET', runPath('CodeRun', ns, 'payments-7'))).status ?? {}) as {
      phase?: string;
      pullRequestUrl?: string;
      message?: string;
    };
  await waitFor('the CodeRun is Running', async () => (await status()).phase === 'Running', {
    timeoutMs: 600_000,
  });
  const leader = (await leaseHolder(client)) ?? '';
  const deleted = Date.now();
  await kubectlOk(cluster, ['-n', SYSTEM_NAMESPACE, 'delete', 'pod', leader, '--wait=false']);
  const next = await waitFor(
    'another replica holds the Lease',
    async () => {
      const holder = await leaseHolder(client);
      return holder && holder !== leader ? holder : undefined;
    },
    // Within the Lease's duration even if the deleted pod never released it.
    { intervalMs: 50, timeoutMs: 120_000 },
  );
  t.comment(`leader ${leader} deleted; ${next} leads after ${((Date.now() - deleted) / 1000).toFixed(2)} s`);
  const done = await waitFor(
    'the CodeRun Succeeded or Failed (the real agent in the image)',
    async (note) => {
      const s = await status();
      note(s);
      return s.phase === 'Succeeded' || s.phase === 'Failed' ? s : undefined;
    },
    { timeoutMs: 600_000, intervalMs: 1000 },
  );
  t.equal(done.phase, 'Succeeded', done.message ?? '');
  t.equal(done.pullRequestUrl, 'https://github.com/acme/payments/pull/1', 'the pull request is in status');
  t.equal(
    git.read('acme/payments.git', 'feature/task-7-implementation', 'RETRIES.md')?.content,
    'retries: 3\n',
  );
  const jobs = await client.request<{ items: KubeObject[] }>(
    'GET',
    `/apis/batch/v1/namespaces/${ns}/jobs?labelSelector=orchestrator.io/run=payments-7`,
  );
  t.equal(jobs.items.length, 1, 'exactly one Job for the one attempt, across the failover');
  t.same(model.problems, [], 'every request the CLI sent had the shape of the Messages API');
  const rows = (await ledgerRows(client, SYSTEM_NAMESPACE)).filter(
    (r) => r.namespace === ns && r.run === 'payments-7',
  );
  t.same(
    ledgerTotals(rows),
    billedTotals(model.requests.slice(before), config.gateway.prices as PriceTable),
    "the CLI's calls went through the gateway's Service, across the failover, and the ledger holds what they cost",
  );
});

t.test(
  "a release from the registry: docs/first-run.md followed (its install docs/install.md's), every image pulled, two runs to their pull requests, upgrade and uninstall",
  async (t) => {
    await kubectlOk(cluster, ['delete', 'agenttaskruns,coderuns,docsruns', '--all', '--all-namespaces']);
    await kubectlOk(cluster, ['delete', '-k', overlay, '--ignore-not-found', `--timeout=${scaled(300)}s`]);
    // The chart as installed with no certificate values: the operator makes its own (decision 0075), in
    // the Secret the chart renders, so the kustomize install's certificate goes first.
    await kubectlOk(cluster, [
      ...['-n', SYSTEM_NAMESPACE, 'delete', 'secret', 'orchestrator-webhook-tls', '--ignore-not-found'],
    ]);
    const egress = await egressProxyImage((step) => t.comment(`egress proxy image: ${step}`));
    const release = await publishRelease(
      registry,
      { operator: [operator], agent: [suite.images.agent], egressProxy: [egress] },
      join(registryDir, 'signing'),
    );
    // What a user checks before installing: each image and the chart signed by the release's key.
    const verify = (ref: string, key: string) =>
      release.cosign.run([
        'verify',
        '--key',
        key,
        '--insecure-ignore-tlog',
        '--allow-insecure-registry',
        ref,
      ]);
    t.equal(release.signed.length, 4, 'three images and the chart signed');
    for (const ref of release.signed) {
      const verified = await verify(ref, release.cosign.publicKey);
      t.equal(verified.code, 0, `cosign verify ${ref}: ${verified.stderr}`);
    }
    const other = await releaseCosign(join(registryDir, 'other'));
    const forged = await verify(release.signed[0] as string, other.publicKey);
    t.not(forged.code, 0, "another key's verify fails");
    // The user's image on top of the released one, in their registry (served by the same one here).
    pushIndex(
      [suite.images.trusting],
      `${registry.host}/${imageName(USER_AGENT_IMAGE).path}:${released.agent.tag}`,
    );
    const userConfig = structuredClone(config);
    // Pulled: the shipped pull policy, not the suite's Never (its images are imported).
    for (const profile of Object.values(userConfig.agents)) {
      profile.image = USER_AGENT_IMAGE;
      delete profile.imagePullPolicy;
    }
    const ref = (i: { host: string; path: string; tag: string }) => `${i.host}/${i.path}:${i.tag}`;
    // docs/first-run.md with the test's values: its own namespace of runs (the guide makes it), the
    // suite's user, an App.
    const guideNamespace = testNamespaceName(t, cluster);
    git.repository('acme/first-run.git', 'main', { 'README.md': '# first-run\n' });
    const world = {
      cluster,
      registryHost: registry.host,
      values: {
        NAMESPACE: guideNamespace,
        GITHUB_REPO: 'acme/first-run',
        GITHUB_USER: USER.name,
        GITHUB_TOKEN: USER.token,
        GITHUB_APP: 'Acme-Rex',
        ANTHROPIC_API_KEY: API_KEY,
      },
    };
    let guide: FollowedGuide | undefined;
    t.teardown(() => guide?.remove());
    await helmLifecycle(t, {
      cluster,
      client,
      work,
      release,
      config: userConfig,
      probe: run,
      install: async (values) => {
        guide = await installByGuide(world, values);
      },
      installed: async () => {
        await firstRun(t, world, guide as FollowedGuide);
        await releaseRun(t, ref(released.egressProxy));
      },
      pulled: [ref(released.operator), USER_AGENT_IMAGE, ref(released.egressProxy)],
    });
  },
);

/** The guide's steps after its install: its TaskRun, as the user, reaches its pull request. */
async function firstRun(t: Test, world: GuideWorld, guide: FollowedGuide): Promise<void> {
  const outputs = await followAfterInstall(t, world, guide, SYSTEM_NAMESPACE);
  const pulls = git.pulls.filter((p) => p.owner === 'acme' && p.repo === 'first-run');
  t.same(
    pulls.map((p) => [p.owner, p.repo, p.base]),
    [['acme', 'first-run', 'main']],
    'one pull request on the repository the guide named',
  );
  t.equal(git.read('acme/first-run.git', pulls[0]?.head ?? '', 'RETRIES.md')?.content, 'retries: 3\n');
  t.match(
    outputs.get('pull-request')?.stdout.trim(),
    // The stand-in numbers pull requests across its repositories, as the suite's other runs open some.
    new RegExp(`^https://\\S+/acme/first-run/pull/${pulls[0]?.number}$`),
    "the guide's last command shows the pull request",
  );
}

/** Through the release: a CodeRun to its pull request, and the egress proxy's image run once. */
async function releaseRun(t: Test, egressImage: string): Promise<void> {
  const ns = await startCodeRun(t, 'ledger');
  const done = await waitFor(
    'the CodeRun of the release Succeeded or Failed (its agent image pulled from the registry)',
    async (note) => {
      const run = await client.request<KubeObject>('GET', runPath('CodeRun', ns, 'ledger-7'));
      const s = (run.status ?? {}) as { phase?: string; pullRequestUrl?: string; message?: string };
      note(s);
      return s.phase === 'Succeeded' || s.phase === 'Failed' ? s : undefined;
    },
    { timeoutMs: 900_000, intervalMs: 1000 },
  );
  t.equal(done.phase, 'Succeeded', done.message ?? '');
  t.equal(done.pullRequestUrl, 'https://github.com/acme/ledger/pull/1', 'the pull request is in status');
  // The egress proxy is off in the suite's config (its agents reach the stand-ins directly): its image
  // is pulled and run once here, `squid -v` after the image's own entrypoint.
  await client.request('POST', resourcePath(PODS, ns), {
    body: {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'egress-proxy-version' },
      spec: {
        restartPolicy: 'Never',
        securityContext: RESTRICTED_POD,
        containers: [
          { name: 'squid', image: egressImage, args: ['-v'], securityContext: RESTRICTED_CONTAINER },
        ],
      },
    },
  });
  const pod = await untilPodDone(client, ns, 'egress-proxy-version');
  t.equal((pod.status as { phase?: string }).phase, 'Succeeded', 'the released egress proxy image runs');
}
