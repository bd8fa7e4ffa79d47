// Which allowlist an agent pod goes out by, where its proxy is, and the variables that send its
// HTTP(S) there (docs/agent-pods.md "Egress"). Pure functions of the controller config.
import type { ControllerConfig } from '../api/index.js';
import { DEFAULT_ALLOWLIST } from '../config/index.js';

export type Egress = ControllerConfig['egress'];
export type Allowlist = Egress['allowlists'][string];
export type AllowedService = NonNullable<Allowlist['services']>[number];

/** The allowlist an agent's pods go out by, or undefined when egress is off. */
export function agentAllowlist(config: ControllerConfig, agent: string | undefined): string | undefined {
  if (!config.egress.enabled) return undefined;
  return (agent ? config.agents[agent]?.egressAllowlist : undefined) ?? DEFAULT_ALLOWLIST;
}

/** Where the agents reach the proxy's Service. */
export const proxyHost = ({ proxy }: Egress): string => proxy.host ?? `${proxy.name}.${proxy.namespace}.svc`;

/** The variables set on every container of a pod; lowercase too, as curl, git and Go read those. */
const PROXY_NAMES = ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY'] as const;

/** A Service of the allowlist as its pods name it (its namespace defaults to the run's). */
export const serviceNamespace = (service: AllowedService, runNamespace: string): string =>
  service.namespace ?? runNamespace;

/**
 * What is reached without the proxy: the pod itself, the model gateway (its own NetworkPolicy rule)
 * and the allowlist's Services (rendered into the pod's NetworkPolicy). Anything else named here would
 * only fail: the policy drops a direct connection.
 */
function noProxy(config: ControllerConfig, allowlist: Allowlist, runNamespace: string): string {
  const hosts = ['localhost', '127.0.0.1', '::1'];
  if (config.gateway.enabled) hosts.push(new URL(config.gateway.url).hostname);
  for (const service of allowlist.services ?? []) {
    const name = `${service.name}.${serviceNamespace(service, runNamespace)}`;
    hosts.push(name, `${name}.svc`, `${name}.svc.cluster.local`);
    if (!service.namespace) hosts.push(service.name);
  }
  return [...new Set(hosts)].join(',');
}

/**
 * The proxy variables of an agent pod's containers (every one: prepare clones and the publisher
 * pushes through it too), or none when egress is off. Reserved (src/api/agent-env.ts): the run, the
 * profile and job.env never set them.
 */
export function proxyEnv(
  config: ControllerConfig,
  agent: string | undefined,
  runNamespace: string,
): { name: string; value: string }[] {
  const name = agentAllowlist(config, agent);
  const allowlist = name === undefined ? undefined : config.egress.allowlists[name];
  if (!allowlist) return [];
  const values = {
    HTTP_PROXY: `http://${proxyHost(config.egress)}:${allowlist.port}`,
    HTTPS_PROXY: `http://${proxyHost(config.egress)}:${allowlist.port}`,
    NO_PROXY: noProxy(config, allowlist, runNamespace),
  };
  return PROXY_NAMES.flatMap((n) => [
    { name: n, value: values[n] },
    { name: n.toLowerCase(), value: values[n] },
  ]);
}
