import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAuthority, serviceAccountKeys } from '../certs/index.js';
import { freePort, tailFile } from '../util/index.js';
import type { Cluster } from './control-plane.js';
import { writeKubeconfig } from './kubeconfig.js';
import { probeReady } from './probe.js';
import type { StartOptions } from './start-command.js';

/**
 * Runs the envtest binaries (`etcd`, `kube-apiserver`, `kubectl` from setup-envtest) found in
 * `assets`, configured like the built-in control plane. No controller-manager: no garbage collection.
 */
export async function startEnvtest(assets: string, opts: StartOptions = {}): Promise<Cluster> {
  for (const bin of ['etcd', 'kube-apiserver']) {
    if (!existsSync(join(assets, bin))) throw new Error(`KUBEBUILDER_ASSETS=${assets} has no ${bin} binary`);
  }
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'orchestrator-envtest-'));
  mkdirSync(join(dir, 'etcd'), { recursive: true });
  const ca = await createAuthority('orchestrator-envtest-ca');
  const serving = await ca.issueServing({
    commonName: 'kube-apiserver',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
  });
  const sa = serviceAccountKeys();
  const token = randomBytes(24).toString('hex');
  const file = (name: string, body: string) => {
    const path = join(dir, name);
    writeFileSync(path, body, { mode: 0o600 });
    return path;
  };
  file('ca.crt', ca.certPem);
  const [etcdClient, etcdPeer, port] = [await freePort(), await freePort(), await freePort()];
  const children: ChildProcess[] = [];
  const run = (name: string, args: string[]) => {
    const log = openSync(join(dir, `${name}.log`), 'w');
    const child = spawn(join(assets, name), args, { stdio: ['ignore', log, log] });
    closeSync(log);
    children.push(child);
    return child;
  };
  const stop = async () => {
    await Promise.all(
      children.reverse().map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
            c.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.kill('SIGTERM');
          }),
      ),
    );
  };
  process.once('exit', () => {
    for (const c of children) c.kill('SIGKILL');
  });
  run('etcd', [
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
    '--unsafe-no-fsync=true',
  ]);
  const apiserver = run('kube-apiserver', [
    `--etcd-servers=http://127.0.0.1:${etcdClient}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--tls-cert-file=${file('apiserver.crt', serving.certPem)}`,
    `--tls-private-key-file=${file('apiserver.key', serving.keyPem)}`,
    `--token-auth-file=${file('tokens.csv', `${token},admin,admin-uid,"system:masters"\n`)}`,
    '--authorization-mode=RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${file('sa.pub', sa.publicPem)}`,
    `--service-account-signing-key-file=${file('sa.key', sa.privatePem)}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--allow-privileged=true',
    '--disable-admission-plugins=ServiceAccount',
  ]);
  const server = `https://127.0.0.1:${port}`;
  const kubeconfig = writeKubeconfig(join(dir, 'kubeconfig'), server, ca.certPem, token);
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 60_000);
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (apiserver.exitCode !== null) break;
    last = await probeReady(server, token, ca.certPem);
    if (last === 'ok') {
      const kubectl = existsSync(join(assets, 'kubectl')) ? join(assets, 'kubectl') : 'kubectl';
      return { kubeconfig, server, dir, kubectl: [kubectl, `--kubeconfig=${kubeconfig}`], stop };
    }
    await sleep(250);
  }
  await stop();
  throw new Error(
    `envtest kube-apiserver not ready (${last}); tail of its log:\n${tailFile(join(dir, 'kube-apiserver.log'))}`,
  );
}
