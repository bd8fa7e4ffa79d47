// Metrics of the hot-reloaded inputs (the controller config and the run templates), after Prometheus'
// own prometheus_config_last_reload_successful: every applied change and every refused one is
// counted, and the gauge is 0 from a refused change until a good one is applied — the alert to page on,
// since the process keeps running on the last good input and nothing else would show it.
import { Counter, Gauge, type Registry } from 'prom-client';
import { memo } from '../runtime/index.js';

export type ReloadSource = 'config' | 'templates';

const SOURCES: readonly ReloadSource[] = ['config', 'templates'];

export interface ReloadMetrics {
  applied(source: ReloadSource): void;
  refused(source: ReloadSource): void;
}

/** The reload metrics on `registry` (registered once; every series starts at 0 errors, last load good). */
export const reloadMetrics = memo((registry: Registry): ReloadMetrics => {
  const registers = [registry];
  const labelNames = ['source'] as const;
  const reloads = new Counter({
    name: 'orchestrator_config_reloads_total',
    help: 'Changes of a hot-reloaded input (source: config or templates) that were applied.',
    labelNames,
    registers,
  });
  const errors = new Counter({
    name: 'orchestrator_config_reload_errors_total',
    help: 'Changes of a hot-reloaded input (source: config or templates) refused as invalid; the last good one stays.',
    labelNames,
    registers,
  });
  const lastGood = new Gauge({
    name: 'orchestrator_config_last_reload_successful',
    help: 'Whether the last change of a hot-reloaded input (source: config or templates) was applied (1) or refused (0).',
    labelNames,
    registers,
  });
  for (const source of SOURCES) {
    reloads.inc({ source }, 0);
    errors.inc({ source }, 0);
    lastGood.set({ source }, 1);
  }
  const metrics: ReloadMetrics = {
    applied: (source) => {
      reloads.inc({ source });
      lastGood.set({ source }, 1);
    },
    refused: (source) => {
      errors.inc({ source });
      lastGood.set({ source }, 0);
    },
  };
  return metrics;
});
