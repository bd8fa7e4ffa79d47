// `orchestrator version`: this CLI's version and, as `kubectl version` adds the server's, the manager
// Deployments the cluster runs (labelled as config/manager and the chart label them), with their image
// and how many replicas are ready. `--client` asks the cluster nothing.
import type { Command } from 'commander';
import { packageVersion } from '../util/index.js';
import type { CliIO } from './io.js';
import { addKubeOptions, type KubeFlags, withConnection } from './kube.js';

/** The labels of the manager's Deployment (config/manager/deployment.yaml, the chart's deployment.yaml). */
export const MANAGER_SELECTOR = 'app.kubernetes.io/name=orchestrator,app.kubernetes.io/component=manager';

interface Deployment {
  metadata?: { name?: string; namespace?: string };
  spec?: { replicas?: number; template?: { spec?: { containers?: { name?: string; image?: string }[] } } };
  status?: { readyReplicas?: number };
}

/** One line per manager Deployment: where it is, its image, its ready replicas. */
export function managerLines(deployments: Deployment[]): string[] {
  if (deployments.length === 0) return [`Manager: none found (no Deployment labelled ${MANAGER_SELECTOR})`];
  return deployments.map((d) => {
    const image =
      d.spec?.template?.spec?.containers?.find((c) => c.name === 'manager')?.image ?? 'no manager container';
    const ready = `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1} ready`;
    return `Manager: ${d.metadata?.namespace}/${d.metadata?.name} ${image} (${ready})`;
  });
}

export function registerVersionCommand(program: Command, io: CliIO): void {
  addKubeOptions(
    program
      .command('version')
      .description("print this CLI's version and the manager Deployments the cluster runs")
      .option('--client', 'only the CLI, asking the cluster nothing'),
  ).action(async (flags: KubeFlags & { client?: boolean }) => {
    io.out(`Client Version: ${packageVersion()}\n`);
    if (flags.client) return;
    const lines = await withConnection(
      flags,
      async (conn) => {
        const list = await conn.client.request<{ items: Deployment[] }>('GET', '/apis/apps/v1/deployments', {
          query: { labelSelector: MANAGER_SELECTOR },
        });
        return managerLines(list.items);
      },
      { checkCrds: false },
    );
    io.out(`${lines.join('\n')}\n`);
  });
}
