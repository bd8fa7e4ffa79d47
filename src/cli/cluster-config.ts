// The controller config the installed manager reads (the ConfigMap its Deployment mounts as `config`),
// for the commands whose defaults are the cluster's: `doctor` checks against it, `task code|docs` take
// their GitHub App from it (task-defaults.ts). Where the manager is: --operator-namespace and
// --deployment, the names the shipped manifests use unless the install chose others.
import type { Command } from 'commander';
import type { ControllerConfig } from '../api/index.js';
import { parseConfig } from '../config/index.js';
import { type ApiRequester, isNotFound } from '../runtime/index.js';

/** The key of the config file in the manager's ConfigMap. */
const CONFIG_KEY = 'controller-config.yaml';

export interface InstallFlags {
  operatorNamespace: string;
  deployment: string;
}

export interface InstalledConfig {
  config: ControllerConfig;
  /** `ConfigMap ns/name`, for messages. */
  source: string;
  /** The ServiceAccount the manager's pods run as (a chart's `serviceAccount.name`, say). */
  serviceAccount?: string;
}

/** Where the installed manager is. */
export function addInstallOptions(cmd: Command): Command {
  return cmd
    .option('--operator-namespace <ns>', "the operator's namespace", 'orchestrator-system')
    .option('--deployment <name>', "the manager's Deployment (whose config volume is read)", 'orchestrator');
}

/** The config the installed manager reads, and where it came from; undefined without a Deployment. */
export async function installedConfig(
  client: ApiRequester,
  { operatorNamespace: namespace, deployment }: InstallFlags,
): Promise<InstalledConfig | undefined> {
  let dep: {
    spec?: {
      template?: {
        spec?: { serviceAccountName?: string; volumes?: { name: string; configMap?: { name: string } }[] };
      };
    };
  };
  try {
    dep = await client.request('GET', `/apis/apps/v1/namespaces/${namespace}/deployments/${deployment}`);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
  const name = dep.spec?.template?.spec?.volumes?.find((v) => v.name === 'config')?.configMap?.name;
  if (!name) return undefined;
  const cm = await client.request<{ data?: Record<string, string> }>(
    'GET',
    `/api/v1/namespaces/${namespace}/configmaps/${name}`,
  );
  const text = cm.data?.[CONFIG_KEY];
  if (text === undefined) return undefined;
  const source = `ConfigMap ${namespace}/${name}`;
  const serviceAccount = dep.spec?.template?.spec?.serviceAccountName;
  return { config: parseConfig(text, source), source, ...(serviceAccount ? { serviceAccount } : {}) };
}
