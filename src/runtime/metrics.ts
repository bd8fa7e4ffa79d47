// Metric definitions with controller-runtime's names, labels and buckets, so that dashboards built for
// Go operators read ours unchanged. Each set is registered once per Registry (prom-client refuses a
// second registration of a name), hence the per-registry memo rather than module-level metrics.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export const RECONCILE_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0, 1.25,
  1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
];

export interface ControllerMetrics {
  reconcileTotal: Counter<'controller' | 'result'>;
  reconcileErrors: Counter<'controller'>;
  terminalReconcileErrors: Counter<'controller'>;
  reconcilePanics: Counter<'controller'>;
  reconcileTimeouts: Counter<'controller'>;
  reconcileTime: Histogram<'controller'>;
  maxConcurrentReconciles: Gauge<'controller'>;
  activeWorkers: Gauge<'controller'>;
}

export interface LeaderElectionMetrics {
  masterStatus: Gauge<'name'>;
}

/** `build` run once per registry: metrics register once however many users ask for them. */
export function memo<T>(build: (registry: Registry) => T): (registry: Registry) => T {
  const sets = new WeakMap<Registry, T>();
  return (registry) => {
    let set = sets.get(registry);
    if (!set) {
      set = build(registry);
      sets.set(registry, set);
    }
    return set;
  };
}

export const controllerMetrics = memo((registry): ControllerMetrics => {
  const registers = [registry];
  const labelNames = ['controller'] as const;
  const counter = (name: string, help: string) => new Counter({ name, help, labelNames, registers });
  const gauge = (name: string, help: string) => new Gauge({ name, help, labelNames, registers });
  return {
    reconcileTotal: new Counter({
      name: 'controller_runtime_reconcile_total',
      help: 'Total number of reconciliations per controller',
      labelNames: ['controller', 'result'] as const,
      registers,
    }),
    reconcileErrors: counter(
      'controller_runtime_reconcile_errors_total',
      'Total number of reconciliation errors per controller',
    ),
    terminalReconcileErrors: counter(
      'controller_runtime_terminal_reconcile_errors_total',
      'Total number of terminal reconciliation errors per controller',
    ),
    reconcilePanics: counter(
      'controller_runtime_reconcile_panics_total',
      'Total number of reconciliation panics per controller',
    ),
    reconcileTimeouts: counter(
      'controller_runtime_reconcile_timeouts_total',
      'Total number of reconciliation timeouts per controller',
    ),
    reconcileTime: new Histogram({
      name: 'controller_runtime_reconcile_time_seconds',
      help: 'Length of time per reconciliation per controller',
      buckets: RECONCILE_BUCKETS,
      labelNames,
      registers,
    }),
    maxConcurrentReconciles: gauge(
      'controller_runtime_max_concurrent_reconciles',
      'Maximum number of concurrent reconciles per controller',
    ),
    activeWorkers: gauge(
      'controller_runtime_active_workers',
      'Number of currently used workers per controller',
    ),
  };
});

export const leaderElectionMetrics = memo(
  (registry): LeaderElectionMetrics => ({
    masterStatus: new Gauge({
      name: 'leader_election_master_status',
      help:
        'Gauge of if the reporting system is master of the relevant lease, 0 indicates backup, 1 indicates master. ' +
        "'name' is the string used to identify the lease. Please make sure to group by name.",
      labelNames: ['name'] as const,
      registers: [registry],
    }),
  }),
);

/**
 * client-go's request result metric as controller-runtime registers it: every request to the apiserver
 * (watches included), by HTTP status code (`<error>` when no answer came), method and host.
 */
export const restClientMetrics = memo(
  (registry): Counter<'code' | 'method' | 'host'> =>
    new Counter({
      name: 'rest_client_requests_total',
      help: 'Number of HTTP requests, partitioned by status code, method, and host.',
      labelNames: ['code', 'method', 'host'] as const,
      registers: [registry],
    }),
);
