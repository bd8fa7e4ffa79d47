// Local mode's steps of `orchestrator run` (local.ts builds the environment): the embedded control plane
// started, the webhooks registered in it, its workloads followed, and the banner that says how to use it.
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Manager } from '../runtime/index.js';
import { packageRoot } from '../util/index.js';
import type { WebhookServer } from '../webhook/index.js';
import { installLocalWebhooks } from '../webhook/index.js';
import { followWorkloads, type LocalEnvironment, startLocalEnvironment, workloadsBanner } from './local.js';
import { protectionLines } from './local-protections.js';
import type { RunOptions } from './options.js';
import type { Connected, Servers } from './run-context.js';

type Followed = ReturnType<typeof followWorkloads>;

/** The local environment when the options ask for one, with the Lease's namespace made. */
export async function startLocalMode(
  opts: RunOptions,
  logger: Logger,
): Promise<LocalEnvironment | undefined> {
  if (!opts.local) return undefined;
  return startLocalEnvironment({
    namespaces: opts.leaderElection ? [opts.leaderElection.namespace] : [],
    configFile: opts.configFile,
    ...(opts.localModelKey ? { modelKey: opts.localModelKey } : {}),
    log: (msg) => logger.info(msg),
  });
}

export async function registerLocalWebhooks(proc: Connected, webhook: WebhookServer): Promise<void> {
  const { local } = proc;
  if (local)
    await installLocalWebhooks(proc.kc, { baseUrl: `https://127.0.0.1:${webhook.port}`, caPem: local.caPem });
}

export const followLocalWorkloads = (proc: Connected, manager: Manager): Followed | undefined =>
  proc.local && followWorkloads(proc.local.workloads, manager, proc.logger);

/** The process exits non-zero when the local workloads failed (followWorkloads). */
export function throwWorkloadsFailure(workloads: Followed | undefined): void {
  const failed = workloads?.failure();
  if (failed) throw failed;
}

/** How to scrape the metrics: HTTPS with a token allowed `get /metrics` (the local admin's), or plain. */
function metricsLines(port: number, secure: boolean): string[] {
  if (port === 0) return [];
  if (!secure) return [`Metrics (plain HTTP): curl http://127.0.0.1:${port}/metrics`];
  return [
    `Metrics (HTTPS; a token RBAC allows get /metrics, here the local admin's; docs/monitoring.md):`,
    `  curl -k -H "Authorization: Bearer $(kubectl config view --raw -o jsonpath='{.users[0].user.token}')" https://127.0.0.1:${port}/metrics`,
  ];
}

export function localBanner(proc: Connected, local: LocalEnvironment, servers: Servers): string {
  const { opts } = proc;
  const sample = join(packageRoot(), 'config', 'samples', 'taskrun.yaml');
  const apiPort = servers.api?.port;
  return [
    '',
    `orchestrator is running against the local control plane (webhooks on https://127.0.0.1:${servers.webhook?.port}).`,
    'In another shell:',
    `  export KUBECONFIG=${local.cluster.kubeconfig}`,
    `  kubectl apply -f ${sample}`,
    '  kubectl get otr -o yaml          # the defaults, labels and finalizer filled in at admission',
    `  kubectl apply -f ${join(packageRoot(), 'config', 'samples', 'invalid')}   # denials that name the field`,
    ...workloadsBanner(local.workloads),
    ...protectionLines(proc.inputs.config.current(), servers.gateway?.port, opts.localModelKey),
    ...(apiPort === undefined
      ? []
      : [
          `The REST API (docs/rest-api.md) is on https://127.0.0.1:${apiPort}: /openapi.json, /health; runs need a`,
          '  ServiceAccount token for the audience "orchestrator" (kubectl create token NAME --audience orchestrator).',
          `The web console (docs/console.md): https://127.0.0.1:${apiPort}/console/ (log in with such a token).`,
        ]),
    ...metricsLines(opts.metrics.port, opts.metricsSecure),
    'Ctrl-C stops everything.',
    '',
  ].join('\n');
}
