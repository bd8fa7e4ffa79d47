// `orchestrator egress manifests`: what egress by allowlist needs in the cluster, rendered from the
// controller config (src/egress) as YAML for `kubectl apply -f -`: the egress proxy's ConfigMap,
// Deployment and Service; with -n, the NetworkPolicy of each allowlist's agent pods in that namespace
// (the allowlists' Services read from the cluster, since a policy names their pods and target ports).
import type { Command } from 'commander';
import { stringify } from 'yaml';
import type { ControllerConfig } from '../api/index.js';
import { defaultConfigFile, loadConfigFile } from '../config/index.js';
import { allowlistPolicies, proxyObjects } from '../egress/index.js';
import type { KubeObject } from '../runtime/index.js';
import { readApiserverPolicy } from './apiserver-policy.js';
import type { CliIO } from './io.js';
import { addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';

interface EgressFlags extends KubeFlags {
  config: string;
}

/** Some agent profile has clusterAccess: its pods reach the apiserver by the addresses read here. */
const anyClusterAccess = (config: ControllerConfig) =>
  Object.values(config.agents ?? {}).some((a) => a?.clusterAccess);

async function apiserverPolicies(config: ControllerConfig, namespace: string, conn: Connection) {
  return anyClusterAccess(config) ? [await readApiserverPolicy(conn, namespace)] : [];
}

const needsCluster = (config: ControllerConfig) =>
  anyClusterAccess(config) ||
  Object.values(config.egress.allowlists).some((a) => (a.services ?? []).length > 0);

export function registerEgressCommand(program: Command, io: CliIO): void {
  const egress = program.command('egress').description('egress by allowlist (docs/agent-pods.md "Egress")');
  addKubeOptions(
    egress
      .command('manifests')
      .description(
        "print the egress proxy's objects, or with -n the agents' NetworkPolicies of that namespace, as YAML",
      )
      .option('--config <file>', 'controller config', defaultConfigFile()),
  ).action(async (flags: EgressFlags) => {
    const config = loadConfigFile(flags.config);
    const namespace = flags.namespace;
    let objects: KubeObject[];
    if (!namespace) objects = proxyObjects(config);
    else if (!needsCluster(config))
      objects = await allowlistPolicies(config.egress, namespace, () =>
        Promise.reject(new Error('no Service to read')),
      );
    else
      objects = await withConnection(
        flags,
        async (conn) => [
          ...(await allowlistPolicies(config.egress, namespace, (ns, name) =>
            conn.client.request<KubeObject>('GET', `/api/v1/namespaces/${ns}/services/${name}`),
          )),
          ...(await apiserverPolicies(config, namespace, conn)),
        ],
        { checkCrds: false },
      );
    io.out(objects.map((o) => stringify(o)).join('---\n'));
  });
}
