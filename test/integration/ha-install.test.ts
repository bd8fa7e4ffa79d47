// The HA install shape end to end on the local control plane: two `orchestrator run` processes started
// with the args and env of the Deployment in config/default (only ports, paths and the pod name differ),
// authenticated as the manager's ServiceAccount with the RBAC of config/rbac, webhooks reached through a
// round-robin balancer standing in for the Service. A TaskRun submitted with the CLI's --wait goes to
// Succeeded although its leader is SIGKILLed mid-run, with exactly one Job for its one attempt.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { ensureDist } from '../../scripts/build.js';
import { webhookPath } from '../../src/admission/handlers.js';
import { installLocalWebhooks, uninstallLocalWebhooks } from '../../src/admission/install.js';
import {
  MANAGER_SERVICE_ACCOUNT,
  serviceAccountToken,
  serviceAccountUser,
  tokenKubeConfig,
} from '../../src/app/service-account.js';
import { createAuthority } from '../../src/certs/authority.js';
import { withClient } from '../../src/cluster/apply.js';
import { KubeClient, type KubeObject } from '../../src/runtime/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { review } from '../fuzz/reviews.js';
import { kubeConfig, kubectl, testCluster, testNamespace } from '../harness/cluster.js';
import { ensureCrds } from '../harness/crds.js';
import { applyObjects, kustomize } from '../harness/kustomize.js';
import { finishJob, jobPath, taskRunJob, taskRunPath, testConfig } from '../harness/operator.js';
import { metricFamilies } from '../harness/prometheus-text.js';
import {
  containerEnv,
  flagValues,
  managerTemplate,
  type Replica,
  startReplica,
} from '../harness/replicas.js';
import { startTcpBalancer } from '../harness/tcp-balancer.js';
import { scaled, waitFor } from '../harness/wait.js';

const root = packageRoot();
if (!ensureDist()) throw new Error('building dist/ failed');
const cluster = await testCluster();
await ensureCrds(cluster);

const RBAC_KINDS = new Set([
  'Namespace',
  'ServiceAccount',
  'ClusterRole',
  'ClusterRoleBinding',
  'Role',
  'RoleBinding',
]);

/** GET (or POST `body`) over HTTP, or HTTPS trusting `ca`; rejects when there is no answer within 5 s. */
const get = (port: number, path: string, ca?: string, body?: unknown) =>
  new Promise<{ status: number; body: string }>((resolve, reject) => {
    const method = body === undefined ? 'GET' : 'POST';
    const headers = body === undefined ? {} : { 'content-type': 'application/json' };
    const options = { host: '127.0.0.1', port, path, method, headers, timeout: scaled(5000) };
    const req = (ca ? httpsRequest({ ...options, ca }) : httpRequest(options)).on('response', (res) => {
      let body = '';
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer within ${scaled(5000)} ms`)));
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });

t.test(
  'two replicas as the Deployment runs them: webhooks on both, one leader, failover mid-run',
  async (t) => {
    const id = randomBytes(3).toString('hex');
    const webhookLabels = { 'orchestrator.io/ha-test': id };
    const namespace = await testNamespace(t, cluster, webhookLabels);
    const dir = mkdtempSync(join(tmpdir(), 'ha-install-'));

    // What `kubectl apply -k config/default` would install, less what a host cannot run (the pods).
    const objects = await kustomize(cluster, join(root, 'config', 'default'));
    const applied = await applyObjects(
      cluster,
      objects.filter((o) => RBAC_KINDS.has(o.kind ?? '')),
    );
    t.equal(applied.code, 0, `RBAC applied: ${applied.stderr}`);
    const { namespace: podNamespace, container } = managerTemplate(objects);
    const admin = kubeConfig(cluster);
    const token = await withClient(admin, (client) => serviceAccountToken(client, MANAGER_SERVICE_ACCOUNT));
    const kubeconfigFile = join(dir, 'kubeconfig');
    writeFileSync(
      kubeconfigFile,
      tokenKubeConfig(admin, token, serviceAccountUser(MANAGER_SERVICE_ACCOUNT)).exportConfig(),
    );

    // The config the ConfigMap would carry, scoped to this test's namespace and Lease, with a short lease
    // so the failover fits a test.
    const config = testConfig((c) => {
      c.watchNamespace = namespace;
      c.leaderElection = {
        ...c.leaderElection,
        enabled: true,
        leaseName: `orchestrator-ha-${id}`,
        leaseDurationSeconds: 4,
        renewDeadlineSeconds: 3,
        retryPeriodSeconds: 1,
      };
    });
    const configFile = join(dir, 'controller-config.yaml');
    writeFileSync(configFile, stringify(config));
    const ca = await createAuthority('ha-ca');
    const serving = await ca.issueServing({ commonName: 'orchestrator-webhook', ipAddresses: ['127.0.0.1'] });
    writeFileSync(join(dir, 'tls.crt'), serving.certPem);
    writeFileSync(join(dir, 'tls.key'), serving.keyPem);

    const flags = flagValues(container.args ?? []);
    const local: Record<string, string> = {
      '--config': configFile,
      '--templates-dir': join(root, 'templates'),
      '--cert-dir': dir,
      '--webhook-port': '0',
      '--metrics-bind-address': '127.0.0.1:0',
      '--health-probe-bind-address': '127.0.0.1:0',
    };
    const args = [...flags].map(([flag, value]) => `${flag}=${local[flag] ?? value}`);
    t.same(
      [...flags.keys()].filter((f) => !(f in local)),
      ['--leader-elect'],
      'every other flag is passed as the Deployment passes it',
    );
    const replicas: Replica[] = [];
    t.teardown(async () => {
      for (const r of replicas) await r.kill();
    });
    for (const pod of [`orchestrator-${id}-a`, `orchestrator-${id}-b`]) {
      const env = {
        ...containerEnv(container, { name: pod, namespace: podNamespace }),
        KUBECONFIG: kubeconfigFile,
      };
      replicas.push(await startReplica(pod, args, env));
    }

    // Both replicas are ready and serve the webhooks; the balancer plays the Service.
    for (const r of replicas) {
      await waitFor(`${r.pod} ready`, async () => (await get(r.probesPort, '/readyz')).status === 200);
      const answer = await get(
        r.webhookPort,
        webhookPath('mutate', 'TaskRun'),
        ca.certPem,
        review('TaskRun'),
      );
      const response = (JSON.parse(answer.body) as { response?: { allowed?: boolean; patch?: string } })
        .response;
      t.ok(response?.allowed && response.patch, `${r.pod} admits and defaults a TaskRun on its own`);
    }
    const balancer = await startTcpBalancer(() =>
      replicas
        .filter((r) => r.process.child.exitCode === null && r.process.child.signalCode === null)
        .map((r) => r.webhookPort),
    );
    t.teardown(() => balancer.close());
    await installLocalWebhooks(admin, {
      baseUrl: `https://127.0.0.1:${balancer.port}`,
      caPem: ca.certPem,
      nameSuffix: `-ha-${id}`,
      namespaceSelector: { matchLabels: webhookLabels },
    });
    t.teardown(() => uninstallLocalWebhooks(admin, `-ha-${id}`));

    const client = new KubeClient(admin, { requestTimeoutMs: scaled(10_000) });
    t.teardown(() => client.close());
    const lease = () =>
      client
        .request<KubeObject>(
          'GET',
          `/apis/coordination.k8s.io/v1/namespaces/${podNamespace}/leases/orchestrator-ha-${id}`,
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
    const denied = await kubectl(cluster, [
      'apply',
      '-n',
      namespace,
      '-f',
      join(root, 'config', 'samples', 'invalid', 'unknown-agent.yaml'),
    ]);
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
    const exposed = metricFamilies((await get(standby.metricsPort, '/metrics')).body).filter(
      (name) => !/^(process|nodejs)_/.test(name),
    );
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
