// The local cluster's real node (StartOptions.realNode, docs/local-cluster.md): what only a real kubelet
// and container runtime decide. Exit codes, a PVC shared by an init container and a container of
// another user under fsGroup, termination messages (written, and the log tail of
// FallbackToLogsOnError), logs through the kubelet (kubectl logs, orchestrator logs) and kept after the
// pod (docs/logs.md), the restricted
// Pod Security Standard admitting and running a pod, pods reaching the apiserver through the
// `kubernetes` Service, an image missing from the node failing a run with ErrImageNeverPull, and
// NetworkPolicies enforced (StartOptions.networkPolicies: kube-router's policy controller), the
// shipped agent policy (config/agents) among them, and egress by allowlist (src/egress: the Squid
// proxy and the agents' policies) with the agent image, and a run's refused clone in its status. The
// agent image itself: within its size budget, the presets' fetch server through the proxy, the servers
// the seeds' tool names map to, and Rust (cargo build, clippy, fmt) as the agents run.
// Needs root and the Debian packages of src/cluster/real-node-host.ts: without them the file fails
// at once, naming what is missing.
// @lane real-node
// @needs node kube-router agent-image
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import type { RunStatus } from '../../src/api/index.js';
import { buildLocalImage } from '../../src/cluster/index.js';
import { ACCESS_LOG_CONTAINER, proxyEnv } from '../../src/egress/index.js';
import { PREPARE_CONTAINER } from '../../src/naming/containers.js';
import {
  CONFIGMAPS,
  isNotFound,
  JOBS,
  KubeClient,
  type KubeObject,
  PODS,
  PVCS,
  resourcePath,
} from '../../src/runtime/index.js';
import { seedToolTable, shippedPresets } from '../harness/agent/mcp-probe.js';
import {
  claudeServerEnvScript,
  compileCacheScript,
  fetchCases,
  fetchProbeScript,
  RUST_EXPECTED,
  rustScript,
  SCRATCH,
  seedToolServersScript,
} from '../harness/cluster/agent-image-checks.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster/cluster.js';
import { egressProbeScript, egressProxyImage, egressWorld } from '../harness/cluster/egress.js';
import { refusedCloneRun } from '../harness/cluster/egress-refused-run.js';
import { agentImageBudgetMb, uncompressedBytes } from '../harness/cluster/image-size.js';
import { policyCases } from '../harness/cluster/policy-cases.js';
import {
  containerState,
  probeContainer,
  RESTRICTED_CONTAINER,
  RESTRICTED_POD,
  runJob,
  shContainer,
  untilJobFinished,
  untilPodDone,
} from '../harness/cluster/real-node.js';
import { hostWithoutNode, nodeProcesses } from '../harness/cluster/real-node-leftovers.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import { runCli } from '../harness/operator/cli.js';
import { sampleTaskRun, startOperator, taskRunPath, testConfig } from '../harness/operator/operator.js';
import { waitFor } from '../harness/util/wait.js';

const agentImage = await buildLocalImage();
const proxyImage = await egressProxyImage();
const cluster = await testCluster({
  realNode: true,
  networkPolicies: true,
  images: [agentImage, proxyImage],
});
const images = cluster.realNode;
if (!images) throw new Error('testCluster({ realNode: true }) gave a cluster without a real node');
const busybox = images.busybox.name;
await ensureCrds(cluster);
const client = new KubeClient(kubeConfig(cluster));
t.teardown(() => client.close());
/** The host directories of the volumes the tests provisioned: gone with the cluster. */
const volumePaths: string[] = [];

t.test('a Job pod runs to Succeeded, another to Failed with its real exit code', async (t) => {
  const ns = await testNamespace(t, cluster);
  const ok = await runJob(client, ns, 'ok', {
    securityContext: RESTRICTED_POD,
    containers: [shContainer('main', busybox, 'echo "ran as $(id -u)"')],
  });
  t.equal((ok.status as { phase: string }).phase, 'Succeeded');
  t.equal(containerState(ok, 'main')?.terminated?.exitCode, 0);
  t.equal(await untilJobFinished(client, ns, 'ok'), 'Complete');
  const logs = await kubectl(cluster, ['logs', '-n', ns, ok.metadata?.name ?? '']);
  t.equal(logs.code, 0, logs.stderr);
  t.equal(logs.stdout, 'ran as 1000\n', 'kubectl logs reads the container output through the kubelet');

  const bad = await runJob(client, ns, 'bad', {
    securityContext: RESTRICTED_POD,
    containers: [shContainer('main', busybox, 'exit 3')],
  });
  t.equal((bad.status as { phase: string }).phase, 'Failed');
  t.equal(containerState(bad, 'main')?.terminated?.exitCode, 3);
  t.equal(await untilJobFinished(client, ns, 'bad'), 'Failed');
});

t.test(
  'an init container writes the PVC; the main container, another user in the fsGroup, reads and writes it',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    await client.request('POST', resourcePath(PVCS, ns), {
      body: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'workspace' },
        spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      },
    });
    const pod = await runJob(client, ns, 'share', {
      securityContext: RESTRICTED_POD,
      initContainers: [
        shContainer('prepare', busybox, 'echo "written by $(id -u)" > /workspace/from-init', {
          volumeMounts: [{ name: 'ws', mountPath: '/workspace' }],
        }),
      ],
      containers: [
        shContainer(
          'agent',
          busybox,
          'cat /workspace/from-init && echo "groups $(id -G)" && echo "written by $(id -u)" > /workspace/from-agent',
          {
            securityContext: { ...RESTRICTED_CONTAINER, runAsUser: 2000 },
            volumeMounts: [{ name: 'ws', mountPath: '/workspace' }],
          },
        ),
      ],
      volumes: [{ name: 'ws', persistentVolumeClaim: { claimName: 'workspace' } }],
    });
    t.equal(containerState(pod, 'prepare', true)?.terminated?.exitCode, 0);
    t.equal(containerState(pod, 'agent')?.terminated?.exitCode, 0);
    const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '', '-c', 'agent']);
    t.match(logs.stdout, /^written by 1000\n/, "the agent reads the init container's file");
    t.match(logs.stdout, /groups 1000( |\n)/, 'the agent runs in the fsGroup');
    // The volume is a real directory on the host, provisioned by the host-path provisioner.
    const claim = await client.request<KubeObject>('GET', resourcePath(PVCS, ns, 'workspace'));
    const volume = (claim.spec as { volumeName: string }).volumeName;
    const pv = await client.request<KubeObject>('GET', `/api/v1/persistentvolumes/${volume}`);
    const path = (pv.spec as { hostPath: { path: string } }).hostPath.path;
    volumePaths.push(path);
    t.equal(readFileSync(join(path, 'from-init'), 'utf8'), 'written by 1000\n');
    t.equal(readFileSync(join(path, 'from-agent'), 'utf8'), 'written by 2000\n', 'the agent wrote it');
  },
);

t.test("the termination message the container writes is the pod's terminated.message", async (t) => {
  const ns = await testNamespace(t, cluster);
  const result = '{"pullRequestUrl":"https://github.com/acme/payments/pull/7","workCompleted":true}';
  const pod = await runJob(client, ns, 'result', {
    securityContext: RESTRICTED_POD,
    containers: [
      shContainer('agent', busybox, `echo noise; printf '%s' '${result}' > /dev/termination-log`, {
        terminationMessagePolicy: 'FallbackToLogsOnError',
      }),
    ],
  });
  t.equal(containerState(pod, 'agent')?.terminated?.message, result);
});

t.test('FallbackToLogsOnError: a failed container without a message has its log tail', async (t) => {
  const ns = await testNamespace(t, cluster);
  const pod = await runJob(client, ns, 'crash', {
    securityContext: RESTRICTED_POD,
    containers: [
      shContainer('agent', busybox, 'echo first; echo "fatal: no result"; exit 2', {
        terminationMessagePolicy: 'FallbackToLogsOnError',
      }),
    ],
  });
  const terminated = containerState(pod, 'agent')?.terminated;
  t.equal(terminated?.exitCode, 2);
  t.equal(terminated?.message, 'first\nfatal: no result\n');
});

t.test('a namespace enforcing the restricted Pod Security Standard admits and runs the pod', async (t) => {
  const ns = await testNamespace(t, cluster, { 'pod-security.kubernetes.io/enforce': 'restricted' });
  const pod = (name: string, securityContext: object) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      restartPolicy: 'Never',
      securityContext,
      containers: [shContainer('main', busybox, 'echo restricted')],
    },
  });
  const root = await kubectl(cluster, ['create', '-n', ns, '-f', '-'], JSON.stringify(pod('root', {})));
  t.not(root.code, 0, 'a pod that may run as root is refused (the label is enforced)');
  t.match(root.stderr, /violates PodSecurity "restricted/);
  await client.request('POST', resourcePath(PODS, ns), { body: pod('ok', RESTRICTED_POD) });
  const done = await untilPodDone(client, ns, 'ok');
  t.equal((done.status as { phase: string }).phase, 'Succeeded');
});

t.test('pods reach the apiserver through the kubernetes Service (kube-proxy)', async (t) => {
  const ns = await testNamespace(t, cluster);
  // busybox speaks no TLS the apiserver accepts; its TLS listener answers plain HTTP with a 400 of
  // its own, which only the apiserver can have sent. Tried for a while: kube-proxy may still sync.
  const probe = [
    'for i in $(seq 30); do',
    '  got=$(printf "GET / HTTP/1.0\\r\\n\\r\\n" | nc -w 5 "$KUBERNETES_SERVICE_HOST" "$KUBERNETES_SERVICE_PORT" | head -1)',
    '  [ -n "$got" ] && break; sleep 1',
    'done',
    'echo "$KUBERNETES_SERVICE_HOST: $got"',
  ].join('\n');
  const pod = await runJob(client, ns, 'service', {
    securityContext: RESTRICTED_POD,
    containers: [shContainer('main', busybox, probe)],
  });
  t.equal(containerState(pod, 'main')?.terminated?.exitCode, 0);
  const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '']);
  t.equal(
    logs.stdout.trim(),
    '10.0.0.1: HTTP/1.0 400 Bad Request',
    'the apiserver answered at the Service IP',
  );
});

t.test('NetworkPolicies are enforced: an allowed connection passes, a denied one is refused', async (t) => {
  const ns = await testNamespace(t, cluster);
  const cases = await policyCases(t, client, cluster, ns, busybox);
  for (const c of cases) {
    const pod = await runJob(
      client,
      ns,
      c.name,
      { securityContext: RESTRICTED_POD, containers: [probeContainer(busybox, c.host, c.port, c.expect)] },
      c.labels,
    );
    const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '']);
    t.equal(logs.stdout.trim(), c.expect, `${c.name}: ${c.host}:${c.port} ${c.expect}`);
  }
});

t.test(
  'egress by allowlist: an allowed host through the proxy, 403 for an unlisted one, a direct connection dropped; DNS, the gateway and an allowed Service pass',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const operatorNs = await testNamespace(t, cluster);
    const { config, cases, web } = await egressWorld(t, client, { ns, operatorNs, busybox, proxyImage });
    const agentLabels = {
      'app.kubernetes.io/managed-by': 'orchestrator',
      'orchestrator.io/run': 'egress',
      'orchestrator.io/egress': 'default',
    };
    const pod = await runJob(
      client,
      ns,
      'agent',
      {
        securityContext: RESTRICTED_POD,
        containers: [
          {
            name: 'agent',
            image: agentImage.name,
            imagePullPolicy: 'Never',
            command: ['bash', '-c', egressProbeScript(cases)],
            env: proxyEnv(config, config.defaultAgent, ns),
            securityContext: RESTRICTED_CONTAINER,
          },
        ],
      },
      agentLabels,
    );
    const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '']);
    t.equal(
      logs.stdout.trim(),
      cases.map((c) => `${c.name} ${c.expect}`).join('\n'),
      'each case answered as expected (000: nothing answered)',
    );
    /** The proxy's access log, as the operator reads it. */
    const accessLog = async () =>
      (
        await kubectl(cluster, [
          'logs',
          '-n',
          operatorNs,
          `deployment/${config.egress.proxy.name}`,
          '-c',
          ACCESS_LOG_CONTAINER,
        ])
      ).stdout;
    t.match(
      await accessLog(),
      / TCP_DENIED\/403 GET unlisted\.test 8080\n/,
      'the refusal is in the access log',
    );

    await t.test(
      "the presets' fetch server in the agent image: an allowed page through the proxy, an unlisted host refused by it",
      async (t) => {
        const cases = fetchCases(web);
        const env = proxyEnv(config, config.defaultAgent, ns);
        const https = env.find((e) => e.name === 'HTTPS_PROXY')?.value;
        const pod = await runJob(
          client,
          ns,
          'fetch',
          {
            securityContext: RESTRICTED_POD,
            // No cluster DNS on this node: a resolver that answers nothing at once, so the server's
            // private-address check of the host (a lookup) fails fast, as for a name only the proxy knows.
            dnsPolicy: 'None',
            dnsConfig: { nameservers: ['127.0.0.1'] },
            containers: [
              {
                name: 'agent',
                image: agentImage.name,
                imagePullPolicy: 'Never',
                command: [
                  'bash',
                  '-c',
                  `${fetchProbeScript(shippedPresets(), cases)}\n${claudeServerEnvScript(shippedPresets())}`,
                ],
                env,
                securityContext: RESTRICTED_CONTAINER,
                volumeMounts: [{ name: 'scratch', mountPath: SCRATCH }],
              },
            ],
            volumes: [{ name: 'scratch', emptyDir: {} }],
          },
          agentLabels,
        );
        const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '']);
        t.equal(
          logs.stdout.trim(),
          [
            ...cases.map((c) => `${c.name} ${c.expect}`),
            `claude-env HTTPS_PROXY=${https} NODE_USE_ENV_PROXY=1`,
          ].join('\n'),
          'each case answered as expected; the Claude CLI gives the server the proxy and the switch',
        );
        const proxyLog = await accessLog();
        t.match(proxyLog, / TCP_TUNNEL\/200 CONNECT allowed\.test 8080\n/, 'the page came through the proxy');
        t.match(
          proxyLog,
          / TCP_DENIED\/403 CONNECT unlisted\.test 8080\n/,
          'the proxy refused the unlisted host',
        );
      },
    );

    await refusedCloneRun(t, { cluster, client, ns, operatorNs, config, agentImage });
  },
);

/** A pod of the agent image running `script` as the agents run (user 1000, read-only root); its log. */
async function inAgentImage(ns: string, name: string, script: string): Promise<string> {
  const pod = await runJob(client, ns, name, {
    securityContext: RESTRICTED_POD,
    containers: [
      {
        name: 'agent',
        image: agentImage.name,
        imagePullPolicy: 'Never',
        command: ['bash', '-c', script],
        securityContext: RESTRICTED_CONTAINER,
        volumeMounts: [
          { name: 'scratch', mountPath: SCRATCH },
          { name: 'workspace', mountPath: '/workspace' },
        ],
      },
    ],
    volumes: [
      { name: 'scratch', emptyDir: {} },
      { name: 'workspace', emptyDir: {} },
    ],
  });
  const logs = await kubectl(cluster, ['logs', '-n', ns, pod.metadata?.name ?? '']);
  t.equal(logs.code, 0, logs.stderr);
  return logs.stdout;
}

t.test('the agent image is within the size budget docs/install.md states', async (t) => {
  const bytes = await uncompressedBytes(agentImage.archive);
  const budget = agentImageBudgetMb();
  t.ok(bytes <= budget * 1e6, `${Math.round(bytes / 1e6)} MB uncompressed, budget ${budget} MB`);
});

t.test(
  'the agent image builds a Rust crate as user 1000: cargo build, clippy -D warnings and fmt --check pass, and fail on a warned or unformatted crate',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const out = await inAgentImage(ns, 'rust', rustScript());
    t.equal(
      out
        .split('\n')
        .filter((l) => /^\w+ (build|clippy|fmt) \d+$/.test(l))
        .join('\n'),
      RUST_EXPECTED,
    );
  },
);

t.test(
  "the agent image: each preset's MCP server loads its modules from the image's compile cache, as user 1000",
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const out = await inAgentImage(ns, 'compile-cache', compileCacheScript(shippedPresets()));
    const lines = out.trim().split('\n');
    t.ok(lines.length >= 5, `every preset server was started: ${out}`);
    for (const line of lines) {
      const [server, accepted, answered] = line.split(' ');
      t.equal(answered, '1', `${server} listed its tools`);
      t.ok(Number(accepted) > 0, `${server}: ${accepted} modules' bytecode from the cache`);
    }
  },
);

t.test("the agent image: each server docs/tools.md maps a seed's tool to has that tool", async (t) => {
  const ns = await testNamespace(t, cluster);
  const out = await inAgentImage(ns, 'seed-tools', seedToolServersScript(shippedPresets()));
  const tools = new Map(
    out
      .trim()
      .split('\n')
      .map((l) => {
        const [server = '', answer = '', ...names] = l.split(' ');
        return [server, answer === 'tools' ? names : [l]];
      }),
  );
  for (const row of seedToolTable())
    if (row.server && row.tool)
      t.ok(
        tools.get(row.server)?.includes(row.tool),
        `${row.seed}: ${row.server} has ${row.tool} (${tools.get(row.server)})`,
      );
});

t.test(
  'runs on the real node: a missing image fails with ErrImageNeverPull; orchestrator logs reads a pod',
  async (t) => {
    const ns = await testNamespace(t, cluster);
    const missing = 'orchestrator.local/absent:1';
    const config = testConfig((c) => {
      const profile = c.agents[c.defaultAgent];
      if (!profile) throw new Error('the shipped config has no default agent profile');
      profile.image = missing;
      profile.imagePullPolicy = 'Never';
    });
    await startOperator(t, cluster, ns, config);
    await client.request('POST', taskRunPath(ns), { body: sampleTaskRun('absent', 51, { image: missing }) });
    const status = await waitFor(
      'the run saying its image cannot be pulled',
      async (note) => {
        const run = await client.request<KubeObject>('GET', taskRunPath(ns, 'absent'));
        note(run.status);
        const text = JSON.stringify(run.status ?? {});
        return text.includes('ImagePullFailed') ? text : undefined;
      },
      { timeoutMs: 120_000 },
    );
    t.match(
      status,
      /ErrImageNeverPull: Container image \\"orchestrator.local\/absent:1\\" is not present with pull policy of Never/,
      "the kubelet's reason reaches the run's status",
    );

    // A run on the node's busybox (whose `bash` is busybox sh): the entry script's prepare step runs
    // (and fails there), and its output is read through the kubelet. Another service: the first run
    // holds its workspace until its attempt fails.
    await client.request('POST', taskRunPath(ns), {
      body: sampleTaskRun('runs', 52, { image: busybox, serviceName: 'ledger' }),
    });
    const found = await waitFor(
      'the run naming a pod whose init container ran',
      async (note) => {
        const run = await client.request<KubeObject>('GET', taskRunPath(ns, 'runs'));
        note(run.status);
        const s = run.status as { podName?: string; attempt?: number; jobName?: string } | undefined;
        if (!s?.podName || !s.attempt || !s.jobName) return undefined;
        const pod = await client.request<KubeObject>('GET', resourcePath(PODS, ns, s.podName));
        return containerState(pod, PREPARE_CONTAINER, true)?.terminated
          ? { pod: s.podName, attempt: s.attempt, job: s.jobName }
          : undefined;
      },
      { timeoutMs: 180_000 },
    );
    const viaKubectl = await kubectl(cluster, ['logs', '-n', ns, found.pod, '-c', PREPARE_CONTAINER]);
    t.equal(viaKubectl.code, 0, viaKubectl.stderr);
    t.not(viaKubectl.stdout, '', 'the init container wrote something');
    const viaCli = await runCli(
      cluster,
      ['logs', 'otr', 'runs', '--init', '--attempt', String(found.attempt)],
      {
        namespace: ns,
      },
    );
    t.equal(viaCli.code, 0, viaCli.stderr);
    t.equal(viaCli.stdout, viaKubectl.stdout, 'orchestrator logs prints what kubectl logs does');
    // --tail through the real kubelet: its timestamps read and taken off, as kubectl logs --tail prints.
    const tailKubectl = await kubectl(cluster, [
      'logs',
      '-n',
      ns,
      found.pod,
      '-c',
      PREPARE_CONTAINER,
      '--tail',
      '2',
    ]);
    const tailCli = await runCli(
      cluster,
      ['logs', 'otr', 'runs', '--init', '--attempt', String(found.attempt), '--tail', '2'],
      { namespace: ns },
    );
    t.equal(tailCli.code, 0, tailCli.stderr);
    t.equal(
      tailCli.stdout,
      tailKubectl.stdout,
      'orchestrator logs --tail 2 prints what kubectl logs --tail 2 does',
    );
    t.equal(
      tailCli.stdout,
      `${viaKubectl.stdout.trimEnd().split('\n').slice(-2).join('\n')}\n`,
      "the whole log's last two lines at most",
    );

    // The log the operator kept (docs/logs.md): read from the kubelet as the container ended, into a
    // ConfigMap the run owns; once the Job and its pod are gone, orchestrator logs reads it there.
    const entry = await waitFor(
      "the prepare container's log kept, in status.logs",
      async (note) => {
        const run = await client.request<KubeObject>('GET', taskRunPath(ns, 'runs'));
        const logs = (run.status as RunStatus | undefined)?.logs;
        note(logs);
        return logs?.find((e) => e.attempt === found.attempt && e.container === PREPARE_CONTAINER);
      },
      { timeoutMs: 120_000 },
    );
    t.notOk(entry.lost, 'kept, not lost');
    t.equal(entry.bytes, Buffer.byteLength(viaKubectl.stdout), 'every byte the container wrote was read');
    t.equal(entry.keptBytes, entry.bytes, 'and kept');
    const cm = await client.request<KubeObject>('GET', resourcePath(CONFIGMAPS, ns, entry.configMap));
    t.equal(cm.metadata?.uid, entry.uid, 'status names the ConfigMap by its uid');
    t.match(cm.metadata?.ownerReferences, [{ kind: 'TaskRun', name: 'runs', controller: true }]);
    await client
      .request('DELETE', resourcePath(JOBS, ns, found.job), { body: { propagationPolicy: 'Background' } })
      .catch((err: unknown) => {
        if (!isNotFound(err)) throw err;
      });
    await waitFor(
      `pod ${found.pod} gone with its Job`,
      () =>
        client.request('GET', resourcePath(PODS, ns, found.pod)).then(
          () => undefined,
          (err: unknown) => (isNotFound(err) ? true : Promise.reject(err)),
        ),
      { timeoutMs: 120_000 },
    );
    const keptCli = await runCli(
      cluster,
      ['logs', 'otr', 'runs', '--init', '--attempt', String(found.attempt)],
      { namespace: ns },
    );
    t.equal(keptCli.code, 0, keptCli.stderr);
    t.equal(keptCli.stdout, viaKubectl.stdout, 'the kept log is what the kubelet gave');
    const keptTail = await runCli(
      cluster,
      ['logs', 'otr', 'runs', '--init', '--attempt', String(found.attempt), '--tail', '2'],
      { namespace: ns },
    );
    t.equal(keptTail.stdout, tailKubectl.stdout, 'and its --tail 2 what kubectl logs --tail 2 printed');
  },
);

/** iptables-save's text less the declarations of empty `CNI-<hash>` chains that no rule jumps to. */
function withoutEmptyCniChains(saved: string): { chains: string; orphans: string[] } {
  const declared = [...saved.matchAll(/^:(CNI-[0-9a-f]{24}) /gm)].map((m) => m[1] as string);
  const orphans = declared.filter(
    (c) => !saved.includes(`-A ${c} `) && !new RegExp(`-[jg] ${c}\\b`).test(saved),
  );
  const chains = saved
    .split('\n')
    .filter((line) => !orphans.some((c) => line.startsWith(`:${c} `)))
    .join('\n');
  return { chains, orphans };
}

t.test('stopping the cluster stops every process and removes what the node made on the host', async (t) => {
  const dir = cluster.dir ?? '';
  t.not(dir, '', 'the cluster is ours, with a state directory');
  client.close();
  await cluster.stop();
  t.same(nodeProcesses(dir), [], 'no component, shim or container is left');
  const host = hostWithoutNode();
  t.notOk(host.bridge, 'the bridge is gone');
  t.same(host.cgroups, [], 'no cgroup of the node is left');
  t.notOk(
    readFileSync('/proc/self/mountinfo', 'utf8').includes(dir),
    'nothing is mounted under its directory',
  );
  const { chains, orphans } = withoutEmptyCniChains(host.chains);
  // An empty CNI chain no rule jumps to names no network: the stop finds the node's chains by their
  // rules' comment (realnode_host.go), and a bridge plugin's ADD cut short under load can leave one
  // before its rules, as buildah's can. It holds no rule, so it does nothing; said, not failed.
  if (orphans.length > 0) t.comment(`empty CNI chains, no rule and no jump: ${orphans.join(' ')}`);
  // CNI-FORWARD and CNI-ADMIN belong to the CNI firewall plugin, which the node's network never uses
  // but buildah's default network does (a `RUN` step of an image build on this host makes them).
  t.notMatch(
    chains,
    /KUBE-|CNI-(?!FORWARD\b|ADMIN\b)/,
    'no chain of kube-proxy, the kubelet, kube-router or the CNI plugins the node uses is left',
  );
  t.notMatch(host.sets, /KUBE-/, "no ipset of kube-router's policies is left");
  t.ok(volumePaths.length > 0, 'a volume was provisioned');
  for (const path of volumePaths) t.notOk(existsSync(path), `the volume ${path} is removed`);
});
