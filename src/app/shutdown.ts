// How `orchestrator run` stops. Admission must not fail while the Service still routes here: the servers
// drain from the stop signal on, beside the manager's stop, and close once both have had their time;
// then everything else closes, in the order below.
import type { Tracing } from '../observability/index.js';
import type { Manager } from '../runtime/index.js';
import type { LocalEnvironment } from './local.js';
import type { Connected, Servers } from './run-context.js';
import type { WatchedInputs } from './watched-inputs.js';

/** Runs the manager until a stop signal, and returns once it and the servers' draining have ended. */
export async function runUntilStopped(proc: Connected, manager: Manager, servers: Servers): Promise<void> {
  const { opts, logger } = proc;
  const drained = manager.stopRequested.then(async () => {
    for (const server of [servers.webhook, servers.api]) server?.drain();
    if (opts.shutdownDelayMs > 0) {
      logger.info({ ms: opts.shutdownDelayMs }, 'draining: answering until the Service stops routing here');
      await new Promise((resolve) => setTimeout(resolve, opts.shutdownDelayMs));
    }
    // The model calls in flight run on to their end beside the manager's stop (app/gateway.ts).
    void servers.gateway?.close();
  });
  await manager.runUntilSignal();
  await drained;
}

/** Closes what run() started, whether it stopped or failed part-way. */
export async function shutdown(
  servers: Servers,
  inputs: WatchedInputs,
  local: LocalEnvironment | undefined,
  tracing: Tracing,
): Promise<void> {
  await servers.gateway?.close();
  await servers.api?.close();
  await servers.webhook?.close();
  inputs.close();
  await local?.cluster.stop();
  await tracing.shutdown();
}
