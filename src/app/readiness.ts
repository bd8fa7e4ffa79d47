// When a replica of `orchestrator run` is ready: a readyz check per server it started, and the line
// (in local mode, the banner) that says so.
import type { Manager } from '../runtime/index.js';
import { localBanner } from './local-mode.js';
import type { Connected, Servers } from './run-context.js';

/** Each server's readyz check, by name, and what its failure says. */
const SERVER_CHECKS: readonly (readonly [keyof Servers, string])[] = [
  ['webhook', 'the webhook server is not serving'],
  ['api', 'the REST API server is not serving'],
  ['gateway', 'the model gateway is not serving'],
];

export function addReadinessChecks(manager: Manager, servers: Servers): void {
  for (const [name, message] of SERVER_CHECKS) {
    const server = servers[name];
    if (server) manager.addReadyzCheck(name, () => (server.serving() ? undefined : message));
  }
}

export function announceReady(proc: Connected, servers: Servers): void {
  const { local, logger } = proc;
  if (local) process.stderr.write(localBanner(proc, local, servers));
  logger.info(
    { webhookPort: servers.webhook?.port, apiPort: servers.api?.port, kubeconfig: local?.cluster.kubeconfig },
    'orchestrator ready',
  );
}
