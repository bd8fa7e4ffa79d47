// `orchestrator run` (what `npm start` runs) pointed at a cluster it did not make, as a developer with
// KUBECONFIG set for kind would: each missing piece (the webhooks' certificate, the CRDs, the Lease's
// namespace) is one line naming its fix, and the process exits rather than retrying for ever; with
// them in place it starts. "Another cluster" here is a control plane of this file's own.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { withClient } from '../../src/cluster/apply.js';
import { installCrds } from '../../src/cluster/crds.js';
import { startControlPlane } from '../../src/cluster/index.js';
import { packageRoot } from '../../src/util/package-root.js';
import { kubeConfig, kubectl } from '../harness/cluster/cluster.js';
import { scaled } from '../harness/util/wait.js';

const cluster = await startControlPlane();
t.teardown(() => cluster.stop());
const certDir = mkdtempSync(join(tmpdir(), 'another-cluster-certs-'));
const orchestrator = join(packageRoot(), 'bin', 'orchestrator.js');

/** `orchestrator run` against the cluster until it exits, or until `until` appears in its output. */
function orchestratorRun(until?: RegExp): Promise<{ code: number | null; output: string }> {
  const args = ['run', '--kubeconfig', cluster.kubeconfig, '--cert-dir', certDir, '--webhook-port', '0'];
  // Every listener on a loopback port of its own: the shipped ones (the gateway's :8090 among them) are
  // taken by whatever other suite runs a manager beside this one.
  args.push('--metrics-bind-address', '127.0.0.1:0', '--health-probe-bind-address', '127.0.0.1:0');
  args.push('--gateway-bind-address', '127.0.0.1:0');
  args.push('--api-bind-address', '0');
  const child = spawn(process.execPath, [orchestrator, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`orchestrator run neither exited nor logged ${until} within the wait:\n${output}`));
    }, scaled(90_000));
    const seen = (chunk: Buffer) => {
      output += chunk.toString();
      if (until?.test(output)) child.kill('SIGTERM');
    };
    child.stdout.on('data', seen);
    child.stderr.on('data', seen);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

t.test('each missing piece is named with its fix, in order, and then it starts', async (t) => {
  const noCert = await orchestratorRun();
  t.not(noCert.code, 0, 'it exits');
  t.match(noCert.output, /orchestrator: no webhook certificate \(.*tls\.crt.* cannot be read\)/);
  t.match(
    noCert.output,
    new RegExp(`orchestrator certs --out ${certDir} --ip <this host's IP> && orchestrator install`),
  );

  const certs = spawnSync(process.execPath, [orchestrator, 'certs', '--out', certDir], { encoding: 'utf8' });
  t.equal(certs.status, 0, `orchestrator certs: ${certs.stderr}`);
  const noCrds = await orchestratorRun();
  t.not(noCrds.code, 0);
  t.match(
    noCrds.output,
    /the CRD agenttaskruns\.orchestrator\.io is not installed in this cluster: run orchestrator install/,
  );

  await withClient(kubeConfig(cluster), (client) => installCrds(client));
  const noNamespace = await orchestratorRun();
  t.not(noNamespace.code, 0);
  t.match(
    noNamespace.output,
    /the namespace orchestrator-system, where the leader election Lease \S+ lives, does not exist: run orchestrator install/,
  );

  await kubectl(cluster, ['create', 'namespace', 'orchestrator-system']);
  const started = await orchestratorRun(/reconciling runs in these namespaces/);
  t.notMatch(started.output, /orchestrator: /, 'no preflight problem');
  t.match(started.output, /reconciling runs in these namespaces/, 'it started');
});
