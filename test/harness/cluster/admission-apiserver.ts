// A second kube-apiserver of the test cluster, started with an AdmissionConfiguration: the apiserver
// authenticating itself to webhooks with a client certificate (docs/security.md "Authenticating the
// apiserver"). The local control plane builds its apiserver's flags in Go (cluster/control-plane
// start.go) and takes no extra ones, so this clones the running apiserver's command line (same binary,
// etcd, certificates and service-account keys: an HA pair over one etcd) with another port and
// `--admission-control-config-file`. A `--apiserver-arg` flag of `control-plane start` would make this
// first-class (a change to the Go module, not made here).
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Cluster } from '../../../src/cluster/index.js';
import { freePort } from '../../../src/util/free-port.js';
import type { Scope } from '../util/scope.js';
import { waitFor } from '../util/wait.js';
import { runCommand } from './cluster.js';

type Teardown = Pick<Scope, 'teardown'>;

export interface AdmissionApiserver {
  /** The cluster seen through the second apiserver (kubectl and kubeconfig point at it). */
  cluster: Cluster;
  server: string;
}

/** The command line of the cluster's running apiserver: found by its serving certificate in the cluster's directory. */
function runningApiserver(cluster: Cluster): string[] {
  const dir = cluster.dir ?? dirname(cluster.kubeconfig);
  const cert = `--tls-cert-file=${join(dir, 'apiserver.crt')}`;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
    } catch {
      continue;
    }
    if (argv[1] === 'kube-apiserver' && argv.includes(cert)) return argv;
  }
  throw new Error(
    `no running kube-apiserver serving ${join(dir, 'apiserver.crt')}: is the cluster the local control plane?`,
  );
}

/**
 * Starts the second apiserver presenting `client` (cert and key files) to the webhook at
 * `webhookHost` (`127.0.0.1:PORT`, the name the AdmissionConfiguration's kubeconfig is matched by).
 */
export async function startAdmissionApiserver(
  t: Teardown,
  cluster: Cluster,
  opts: { dir: string; webhookHost: string; clientCertFile: string; clientKeyFile: string },
): Promise<AdmissionApiserver> {
  const [binary, ...args] = runningApiserver(cluster);
  const kubeconfig = join(opts.dir, 'webhook-kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'users:',
      `- name: "${opts.webhookHost}"`,
      '  user:',
      `    client-certificate: ${opts.clientCertFile}`,
      `    client-key: ${opts.clientKeyFile}`,
      '',
    ].join('\n'),
  );
  const admission = join(opts.dir, 'admission-configuration.yaml');
  const plugin = (name: string) => [
    `- name: ${name}`,
    '  configuration:',
    '    apiVersion: apiserver.config.k8s.io/v1',
    '    kind: WebhookAdmissionConfiguration',
    `    kubeConfigFile: ${kubeconfig}`,
  ];
  writeFileSync(
    admission,
    [
      'apiVersion: apiserver.config.k8s.io/v1',
      'kind: AdmissionConfiguration',
      'plugins:',
      ...plugin('ValidatingAdmissionWebhook'),
      ...plugin('MutatingAdmissionWebhook'),
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const argv = [
    ...args.filter(
      (a) => !a.startsWith('--secure-port=') && !a.startsWith('--admission-control-config-file='),
    ),
    `--secure-port=${port}`,
    `--admission-control-config-file=${admission}`,
  ];
  const log = openSync(join(opts.dir, 'kube-apiserver-2.log'), 'a');
  const child: ChildProcess = spawn(binary as string, argv, { stdio: ['ignore', log, log] });
  t.teardown(() => {
    child.kill('SIGKILL');
  });
  const server = `https://127.0.0.1:${port}`;
  const kubectl = [...cluster.kubectl, `--server=${server}`];
  await waitFor(
    'the second apiserver to answer /readyz',
    async () => {
      if (child.exitCode !== null)
        throw new Error(`it exited (${child.exitCode}); see ${join(opts.dir, 'kube-apiserver-2.log')}`);
      const res = await runCommand([...kubectl, 'get', '--raw', '/readyz'], undefined, 15_000);
      return res.code === 0 && res.stdout.trim() === 'ok' ? true : undefined;
    },
    { timeoutMs: 180_000, intervalMs: 1000 },
  );
  return { cluster: { ...cluster, server, kubectl }, server };
}
