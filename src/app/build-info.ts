import { Gauge, Registry } from 'prom-client';
import { packageVersion } from '../util/index.js';

export const BUILD_INFO_METRIC = 'orchestrator_build_info';

/**
 * `orchestrator_build_info{version, node} 1`, the usual build-info gauge (Prometheus' own, kube-state-metrics'),
 * so a dashboard or an alert can tell which release each replica runs during an upgrade.
 */
export function registerBuildInfo(registry: Registry): void {
  const gauge = new Gauge({
    name: BUILD_INFO_METRIC,
    help: 'The running release: its version (package.json) and Node.js version; always 1.',
    labelNames: ['version', 'node'],
    registers: [registry],
  });
  gauge.set({ version: packageVersion(), node: process.versions.node }, 1);
}

/** The process's metrics registry, the build info in it from the start. */
export function processRegistry(): Registry {
  const registry = new Registry();
  registerBuildInfo(registry);
  return registry;
}
