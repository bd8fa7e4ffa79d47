// The HA install shape end to end on the local control plane: two `orchestrator run` processes started
// with the args and env of the Deployment in config/default (only ports, paths and the pod name differ),
// authenticated as the manager's ServiceAccount with the RBAC of config/rbac, webhooks reached through a
// round-robin balancer standing in for the Service. A TaskRun submitted with the CLI's --wait goes to
// Succeeded although its leader is SIGKILLed mid-run, with exactly one Job for its one attempt. With
// the model gateway on: one attempt's calls made on both replicas and the leader stopped (as a pod
// deletion stops it) while it streams an answer leave the ledger equal to what the model billed.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ensureDist } from '../../scripts/build.js';
import type { PriceTable } from '../../src/gateway/prices.js';
import { type KubeObject, resourcePath, SECRETS } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { webhookPath } from '../../src/webhook/handlers.js';
import { review } from '../fuzz/reviews.js';
import { testCluster } from '../harness/cluster/cluster.js';
import { logged } from '../harness/cluster/node-process.js';
import { ensureCrds } from '../harness/deploy/crds.js';
import {
  attemptToken,
  billedTotals,
  gatewayCall,
  gatewayConfig,
  ledgerRows,
  ledgerTotals,
  messagesBody,
} from '../harness/operator/gateway.js';
import { applyInvalidRun, get, installReplicas } from '../harness/operator/installed-replicas.js';
import {
  finishJob,
  jobPath,
  sampleTaskRun,
  taskRunJob,
  taskRunPath,
  testConfig,
} from '../harness/operator/operator.js';
import type { Replica } from '../harness/operator/replicas.js';
import { say } from '../harness/remote/model-script.js';
import { ModelStandin } from '../harness/remote/model-standin.js';
import { metricFamilies } from '../harness/util/prometheus-text.js';
import { scaled, waitFor } from '../harness/util/wait.js';

const root = packageRoot();
const PLATFORM_KEY = 'sk-ant-ha-platform-key';
// Ten text events: paced a second apart, the stream outlasts the replica's drain (--shutdown-delay=5s).
const ANSWER = 'The retries are raised to five and the tests pass. '.repeat(3);
if (!ensureDist()) throw new Error('building dist/ failed');
const cluster = await testCluster();
await ensureCrds(cluster);

t.test(
  'two replicas as the Deployment runs them: webhooks on both, one leader, failover mid-run',
  async (t) => {
    const { namespace, podNamespace, leaseName, replicas, sharedFlags, caPem, client, metrics } =
      await installReplicas(t, cluster, { prefix: 'ha' });
    t.same(
      sharedFlags,
      ['--leader-elect', '--shutdown-delay'],
      'every other flag is passed as the Deployment passes it',
    );
    for (const r of replicas) {
      const answer = await get(r.webhookPort, webhookPath('mutate', 'TaskRun'), caPem, review('TaskRun'));
      const response = (JSON.parse(answer.body) as { response?: { allowed?: boolean; patch?: string } })
        .response;
      t.ok(response?.allowed && response.patch, `${r.pod} admits and defaults a TaskRun on its own`);
    }

    const lease = () =>
      client
        .request<KubeObject>(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${podNamespace}/leases/${leaseName}`,
        )
        .then((l) => l.spec as { holderIdentity?: string; leaseTransitions?: number });
    let holder = '';
    await waitFor('a replica holds the Lease', async () => {
      holder = (await lease()).holderIdentity ?? '';
      return replicas.some((r) => r.holds(holder));
    });
    const leader = replicas.find((r) => r.holds(holder)) as Replica;
    const standby = replicas.find((r) => r !== leader) as Replica;

    // Submitted with the CLI, as a user would, and followed with --wait.
    const cli = spawn(
      process.execPath,
      [
        join(root, 'bin', 'orchestrator.js'),
        'task',
        'submit',
        '-f',
        join(root, 'config', 'samples', 'taskrun.yaml'),
        '-n',
        namespace,
        '--wait',
        `--timeout=${scaled(180)}s`,
      ],
      { env: { ...process.env, KUBECONFIG: cluster.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    cli.stdout.on('data', (d) => {
      out += d;
    });
    cli.stderr.on('data', (d) => {
      out += d;
    });
    const cliExit = new Promise<number | null>((resolve) => cli.on('exit', (code) => resolve(code)));
    t.teardown(() => {
      cli.kill();
    });

    const sample = readFileSync(join(root, 'config', 'samples', 'taskrun.yaml'), 'utf8');
    const runName = /name: (\S+)/.exec(sample)?.[1] as string;
    await waitFor('the leader started the run', async () => {
      const run = await client
        .request<KubeObject>('GET', taskRunPath(namespace, runName))
        .catch(() => undefined);
      return (run?.status as { phase?: string } | undefined)?.phase === 'Running';
    });
    const jobName = await taskRunJob(client, namespace, runName);

    // The leader dies mid-run without releasing the Lease: the standby takes over after it expires.
    const transitions = (await lease()).leaseTransitions ?? 0;
    await leader.kill();
    await waitFor('the standby took the Lease', async () => standby.holds((await lease()).holderIdentity));
    t.ok(((await lease()).leaseTransitions ?? 0) > transitions, 'leaseTransitions counted the handover');
    t.comment(`${leader.pod} killed while the run was Running; ${standby.pod} leads`);

    // Admission still works with one replica left: the balancer skips the dead one.
    const denied = await applyInvalidRun(cluster, namespace);
    t.not(denied.code, 0, 'an invalid run is still refused');
    t.match(denied.stderr, /denied the request/);

    await finishJob(client, namespace, jobName, 'Complete');
    const code = await cliExit;
    t.equal(code, 0, `the CLI exits 0 on success:\n${out}`);
    t.match(out, /Succeeded/, 'the summary names the outcome');
    await t.resolves(client.request('GET', jobPath(namespace, jobName)), 'the Job of attempt 1 exists');
    const jobs = await client.request<{ items: KubeObject[] }>(
      'GET',
      `/apis/batch/v1/namespaces/${namespace}/jobs?labelSelector=orchestrator.io/run=${runName}`,
    );
    t.same(
      jobs.items.map((j) => j.metadata?.name),
      [jobName],
      'exactly one Job for the one attempt',
    );

    // What a replica exposes is what docs/metrics.md documents, and the reverse.
    const scraped = await get(standby.metricsPort, metrics.path, caPem, undefined, metrics.token);
    const exposed = metricFamilies(scraped.body).filter((name) => !/^(process|nodejs)_/.test(name));
    const documented = [
      ...readFileSync(join(root, 'docs', 'metrics.md'), 'utf8').matchAll(/^\| `([a-z_]+)` \|/gm),
    ].map((m) => m[1]);
    t.comment(`${exposed.length} metric families exposed besides process_/nodejs_`);
    t.same(
      exposed.filter((n) => !documented.includes(n)),
      [],
      'every exposed metric is documented',
    );
    t.same(
      documented.filter((n) => !exposed.includes(n as string)),
      [],
      'every documented metric is exposed',
    );
  },
);

t.test(
  "the model gateway on two replicas: one attempt's calls over both, the leader stopped mid-stream, the ledger exact",
  async (t) => {
    const model = new ModelStandin({ script: [], apiKey: PLATFORM_KEY, aside: () => say(ANSWER) });
    const upstream = await model.listen();
    t.teardown(() => model.close());
    const { namespace, podNamespace, leaseName, replicas, client } = await installReplicas(t, cluster, {
      prefix: 'gwha',
      change: (c) => gatewayConfig(c, upstream),
    });
    const config = testConfig(() => {});
    const keyRef = config.gateway.upstream.apiKey;
    await client.request('POST', resourcePath(SECRETS, podNamespace), {
      body: {
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: keyRef.name, namespace: podNamespace },
        stringData: { [keyRef.key]: PLATFORM_KEY },
      },
    });
    const ports = new Map<Replica, number>();
    for (const r of replicas)
      ports.set(
        r,
        Number((await r.process.waitForLog(logged('gateway listening'), 'gateway listening')).port),
      );
    const base = (r: Replica) => `http://127.0.0.1:${ports.get(r)}`;

    // One attempt (its Job made by the leader, its agent held: the test makes its agent's calls with
    // the token of that Job, which attemptToken waits for).
    await client.request('POST', taskRunPath(namespace), { body: sampleTaskRun('spread') });
    const token = await attemptToken(
      client,
      podNamespace,
      namespace,
      await taskRunJob(client, namespace, 'spread'),
    );
    const body = messagesBody({ stream: true });
    for (let i = 0; i < 6; i++) {
      const answer = await gatewayCall(base(replicas[i % 2] as Replica), token, body);
      t.equal(
        answer.status,
        200,
        `call ${i + 1}, on ${(replicas[i % 2] as Replica).pod}: ${answer.text.slice(0, 200)}`,
      );
      t.match(answer.text, /event: message_stop/);
    }

    // A stream in flight on the leader when its pod is deleted (SIGTERM, as the kubelet stops it).
    const holder = (
      await client.request<KubeObject>(
        'GET',
        `/apis/coordination.k8s.io/v1/namespaces/${podNamespace}/leases/${leaseName}`,
      )
    ).spec as { holderIdentity?: string };
    const leader = replicas.find((r) => r.holds(holder.holderIdentity)) as Replica;
    model.eventDelayMs = 1000;
    const inFlight = gatewayCall(base(leader), token, body);
    await waitFor('the stream has begun at the stand-in', () => model.requests.length === 7);
    leader.process.child.kill('SIGTERM');
    const last = await inFlight;
    t.equal(last.status, 200);
    t.match(last.text, /event: message_stop/, "the stopping leader's stream ran on to its end");
    await leader.process.exited;

    // What the stand-in billed, priced as the gateway prices it, is what the ledger holds: no call lost
    // (not the stopped leader's either), none counted twice.
    const expected = billedTotals(model.requests, config.gateway.prices as PriceTable);
    t.equal(expected.calls, 7, 'seven calls reached the model');
    const rows = await waitFor('the ledger holds seven calls', async (note) => {
      const rows = await ledgerRows(client, podNamespace);
      note(rows);
      return ledgerTotals(rows).calls === 7 ? rows : undefined;
    });
    t.same(ledgerTotals(rows), expected, 'the ledger equals what the model billed');
    t.ok(expected.costMicros > 0);
  },
);
