// Egress by allowlist on the real node (test/integration/real-node.test.ts): the proxy's objects as
// src/egress renders them, applied in a namespace standing for the operator's, and an agent pod's
// probe script. The node has no cluster DNS, so the proxy resolves the allowlist's test hosts from
// its /etc/hosts (hostAliases), and the agents name the proxy's Service by its address.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ControllerConfig } from '../../../src/api/index.js';
import { applyObjects } from '../../../src/cluster/apply.js';
import { buildLocalImage, type LocalImage } from '../../../src/cluster/index.js';
import { allowlistPolicy, proxyObjects, servicePeer } from '../../../src/egress/index.js';
import {
  isConflict,
  type KubeClient,
  type KubeObject,
  PODS,
  resourcePath,
} from '../../../src/runtime/index.js';
import { packageRoot } from '../../../src/util/package-root.js';
import { testConfig } from '../operator/operator.js';
import { waitFor } from '../util/wait.js';
import { servePod } from './real-node.js';

/** The egress proxy's image (images/egress-proxy), built like the agent image and cached the same way. */
export const egressProxyImage = (progress?: (step: string) => void): Promise<LocalImage> =>
  buildLocalImage({
    contextDir: join(packageRoot(), 'images', 'egress-proxy'),
    repository: 'egress-proxy',
    progress,
  });

/**
 * Applies the proxy's ConfigMap, Deployment (its pods resolving `hosts` by /etc/hosts) and Service;
 * resolves to the Service's address once a proxy pod is ready.
 */
async function deployProxy(
  client: KubeClient,
  config: ControllerConfig,
  hosts: Record<string, string>,
): Promise<string> {
  const objects = proxyObjects(config).map((obj) => {
    if (obj.kind !== 'Deployment') return obj;
    const pod = (obj.spec as { template: { spec: Record<string, unknown> } }).template.spec;
    // One entry per address (the apiserver keys hostAliases by ip).
    const byIp = new Map<string, string[]>();
    for (const [hostname, ip] of Object.entries(hosts)) byIp.set(ip, [...(byIp.get(ip) ?? []), hostname]);
    pod.hostAliases = [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
    return obj;
  });
  const applied = await applyObjects(client, objects);
  const { name, namespace } = config.egress.proxy;
  await waitFor(
    `the egress proxy ${namespace}/${name} ready`,
    async (note) => {
      const d = await client.request<KubeObject>(
        'GET',
        `/apis/apps/v1/namespaces/${namespace}/deployments/${name}`,
      );
      note(d.status);
      return ((d.status as { readyReplicas?: number } | undefined)?.readyReplicas ?? 0) > 0 || undefined;
    },
    { timeoutMs: 180_000 },
  );
  const service = applied.find((o) => o.kind === 'Service');
  const address = (service?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  if (!address) throw new Error(`the egress proxy's Service ${namespace}/${name} has no address`);
  return address;
}

/**
 * A bash script (the agent image's) that checks each case until its answer is the expected one (the
 * policy engine applies a policy some time after the pod starts), then that the answer holds, and
 * prints `name answer` per case: the expected answer, or the other one it got.
 */
export function egressProbeScript(cases: EgressCase[]): string {
  return [
    'check() {',
    '  local name=$1 expect=$2 command=$3 got i',
    '  for i in $(seq 30); do got=$(eval "$command"); [ "$got" = "$expect" ] && break; sleep 1; done',
    '  for i in 1 2 3; do got=$(eval "$command"); [ "$got" = "$expect" ] || break; done',
    '  echo "$name $got"',
    '}',
    ...cases.map((c) => `check ${c.name} '${c.expect}' '${c.command}'`),
  ].join('\n');
}

/** curl's status of a GET (000 when nothing answered within a few seconds); extra curl options first. */
const curlStatus = (url: string, options = ''): string =>
  `curl -s -o /dev/null --max-time 4 -w %{http_code} ${options} ${url}`;

/**
 * A busybox HTTP server on `port` in a namespace that is not the test's (kube-system, the operator's,
 * made when missing), gone with the test; resolves to its address. It may bind a port below 1024 (a
 * safe sysctl), still as a user.
 */
async function serveIn(
  t: { teardown: (fn: () => unknown) => void },
  client: KubeClient,
  image: string,
  namespace: string,
  port: number,
  labels: Record<string, string>,
): Promise<string> {
  await client
    .request('POST', '/api/v1/namespaces', {
      body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace } },
    })
    .catch((err: unknown) => {
      if (!isConflict(err)) throw err;
    });
  const name = `standin-${randomBytes(3).toString('hex')}`;
  t.teardown(() => client.request('DELETE', resourcePath(PODS, namespace, name)).catch(() => undefined));
  return servePod(client, namespace, name, image, labels, port, {
    sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
  });
}

export interface EgressCase {
  name: string;
  /** A shell command printing curl's status. */
  command: string;
  expect: string;
}

/**
 * The world of the real-node egress test, in the run namespace `ns` and `operatorNs` (the proxy's):
 * a web server the allowlist `default` names as allowed.test and not as unlisted.test (which the
 * allowlist `wide`, on another port, names), its pod address allowed by egress.allowedPrivateRanges;
 * a Service `db` it allows by name; servers where the shipped policy puts DNS (kube-system, 53) and the
 * model gateway (the manager's pods in orchestrator-system, 8090); the proxy; the allowlist's policy. Resolves to the config (its proxy
 * host the Service's address), the cases an agent pod of `default` checks and the web server's address.
 */
export async function egressWorld(
  t: { teardown: (fn: () => unknown) => void },
  client: KubeClient,
  opts: { ns: string; operatorNs: string; busybox: string; proxyImage: LocalImage },
): Promise<{ config: ControllerConfig; cases: EgressCase[]; web: string }> {
  const { ns, busybox } = opts;
  const web = await servePod(client, ns, 'web', busybox, { app: 'web' }, 8080);
  await servePod(client, ns, 'db', busybox, { app: 'db' }, 5432);
  const [db = {}] = await applyObjects(client, [
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'db', namespace: ns },
      spec: { selector: { app: 'db' }, ports: [{ port: 5432, targetPort: 5432 }] },
    },
  ]);
  const dns = await serveIn(t, client, busybox, 'kube-system', 53, {});
  const gateway = await serveIn(t, client, busybox, 'orchestrator-system', 8090, {
    'app.kubernetes.io/name': 'orchestrator',
    'app.kubernetes.io/component': 'manager',
  });
  const config = testConfig((c) => {
    c.egress.enabled = true;
    c.egress.proxy = {
      ...c.egress.proxy,
      namespace: opts.operatorNs,
      image: opts.proxyImage.name,
      replicas: 1,
    };
    c.egress.allowlists = {
      default: {
        port: 3128,
        hosts: [{ host: 'allowed.test', ports: [8080] }],
        services: [{ name: 'db', port: 5432 }],
      },
      wide: { port: 3129, hosts: [{ host: 'unlisted.test', ports: [8080] }] },
    };
    // The stand-in is a pod, on the cluster's private pod range: the proxy refuses an allowed name
    // that resolves there unless its address is allowed, as an operator allows an in-cluster server.
    c.egress.allowedPrivateRanges = [`${web}/32`];
  });
  config.egress.proxy.host = await deployProxy(client, config, { 'allowed.test': web, 'unlisted.test': web });
  await applyObjects(client, [
    allowlistPolicy(config.egress, 'default', ns, [servicePeer({ name: 'db', port: 5432 }, db)]),
  ]);
  const dbAddress = (db.spec as { clusterIP: string }).clusterIP;
  const direct = '--noproxy "*"';
  const cases = [
    { name: 'allowed', command: curlStatus('http://allowed.test:8080/'), expect: '200' },
    { name: 'unlisted', command: curlStatus('http://unlisted.test:8080/'), expect: '403' },
    { name: 'by-address', command: curlStatus(`http://${web}:8080/`), expect: '403' },
    { name: 'bypass', command: curlStatus(`http://${web}:8080/`, direct), expect: '000' },
    {
      name: 'other-port',
      command: curlStatus('http://unlisted.test:8080/', `-x http://${config.egress.proxy.host}:3129`),
      expect: '000',
    },
    { name: 'dns', command: curlStatus(`http://${dns}:53/`, direct), expect: '200' },
    { name: 'gateway', command: curlStatus(`http://${gateway}:8090/`, direct), expect: '200' },
    { name: 'service', command: curlStatus(`http://${dbAddress}:5432/`, direct), expect: '200' },
  ];
  return { config, cases, web };
}
