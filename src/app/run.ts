// `orchestrator run`: the webhook server and the manager in one process, as the Deployment runs them
// (every replica serves webhooks, metrics and probes; only the Lease holder reconciles). Each step is one
// feature's file; the order below is the order of start, and shutdown.ts holds the order of stop.

import type { Logger } from 'pino';
import { processRegistry } from './build-info.js';
import { connect } from './connect.js';
import { addRunControllers } from './controllers.js';
import { logEgressEnforcement } from './egress.js';
import { githubApps } from './github-apps.js';
import {
  followLocalWorkloads,
  registerLocalWebhooks,
  startLocalMode,
  throwWorkloadsFailure,
} from './local-mode.js';
import { processLogger } from './logger.js';
import { newManager } from './manager.js';
import { serveModelGateway } from './model-gateway.js';
import type { RunOptions } from './options.js';
import { warnProtectionsOff } from './protections-off.js';
import { addReadinessChecks, announceReady } from './readiness.js';
import { serveRestApi } from './rest-api.js';
import type { Servers } from './run-context.js';
import { stopServingCertificate } from './serving-certificate.js';
import { runUntilStopped, shutdown } from './shutdown.js';
import { startChecks } from './start-checks.js';
import { startProcessTracing } from './tracing.js';
import { watchRunInputs } from './watched-inputs.js';
import { serveWebhooks } from './webhooks.js';

export async function run(opts: RunOptions, logger: Logger = processLogger(opts.logLevel)): Promise<void> {
  // First: the webhook routes and the controllers are built traced or not.
  const tracing = await startProcessTracing(logger);
  const registry = processRegistry();
  const inputs = watchRunInputs(opts, registry, logger);
  warnProtectionsOff(logger, inputs.config.current());
  const local = await startLocalMode(opts, logger);
  const servers: Servers = {};
  try {
    const proc = await connect({ opts, logger, registry, inputs, local });
    servers.webhook = await serveWebhooks(proc);
    await registerLocalWebhooks(proc, servers.webhook);
    const github = githubApps(proc);
    startChecks(proc);
    servers.gateway = await serveModelGateway(proc, github);
    const manager = newManager(proc);
    const budgets = await addRunControllers(proc, manager, servers.gateway, github);
    servers.api = await serveRestApi(proc, github, budgets);
    addReadinessChecks(manager, servers);
    const workloads = followLocalWorkloads(proc, manager);
    announceReady(proc, servers);
    logEgressEnforcement(proc);
    await runUntilStopped(proc, manager, servers);
    stopServingCertificate(proc);
    throwWorkloadsFailure(workloads);
  } finally {
    await shutdown(servers, inputs, local, tracing);
  }
}
