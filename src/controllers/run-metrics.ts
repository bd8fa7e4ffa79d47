// orchestrator_runs{kind,phase}: how many runs the caches hold in each phase, computed at scrape time
// (no bookkeeping to go stale). Standbys keep their caches warm, so every replica reports the same
// counts: dashboards take max(), not sum(), over replicas.
import { Gauge, type Registry } from 'prom-client';
import type { Phase } from '../api/index.js';
import type { RunCache } from './capacity-cache.js';

export const RUNS_METRIC = 'orchestrator_runs';
const PHASES: readonly Phase[] = ['Pending', 'Running', 'Succeeded', 'Failed'];

export function registerRunMetrics(registry: Registry, caches: readonly RunCache[]): void {
  // A manager restarted in the same process (tests) registers its own caches in place of the old ones.
  registry.removeSingleMetric(RUNS_METRIC);
  new Gauge({
    name: RUNS_METRIC,
    help: 'Runs by kind and phase, as the caches see them (a run without status yet counts as Pending).',
    labelNames: ['kind', 'phase'],
    registers: [registry],
    collect() {
      for (const { kind, runs } of caches) {
        const counts = new Map<string, number>(PHASES.map((p) => [p, 0]));
        for (const run of runs.list()) {
          const phase = run.status?.phase ?? 'Pending';
          counts.set(phase, (counts.get(phase) ?? 0) + 1);
        }
        for (const [phase, n] of counts) this.set({ kind, phase }, n);
      }
    },
  });
}
