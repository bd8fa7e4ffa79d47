// Leader election and the manager of `orchestrator run`: the Lease holder reconciles; every replica
// serves the metrics (secure-metrics.ts) and the probes.
import { Manager } from '../runtime/index.js';
import { connectionLimits } from './connections.js';
import type { Connected } from './run-context.js';
import { metricsServing } from './secure-metrics.js';

export function newManager(proc: Connected): Manager {
  const { opts, client, logger } = proc;
  const config = proc.inputs.config.current();
  return new Manager({
    client,
    registry: proc.registry,
    logger,
    leaderElection: opts.leaderElection,
    metrics: metricsServing({
      address: opts.metrics,
      secure: opts.metricsSecure,
      certificates: proc.certificates,
      client,
      logger,
      maxConcurrentRequests: config.metrics.maxConcurrentRequests,
      connections: connectionLimits(config),
    }),
    probes: opts.probes,
  });
}
