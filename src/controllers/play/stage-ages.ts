// How long the play stages that have not ended have been going (docs/metrics.md "Argo plays"): a gauge
// computed from the cache at scrape time, so a stage stuck in Pending or between retries shows as an age
// that only grows, which the counters of ends cannot show. Every (namespace, stage) that has a run in
// the cache has a series, 0 when all its runs ended, so a panel and an alert always have one to read.
import { Gauge, type Registry } from 'prom-client';
import type { CodeRun, ControllerConfig } from '../../api/index.js';
import { type Clock, type ReadOnlyStore, realClock } from '../../runtime/index.js';
import { ended, playKey, stageOf } from './stage-report.js';

export const STAGE_AGE_METRIC = 'orchestrator_play_stage_oldest_unfinished_seconds';

/** Seconds since the oldest unfinished run of each stage was created, by `namespace/stage`. */
export function stageAges(
  runs: readonly CodeRun[],
  config: ControllerConfig,
  now: Date,
): Map<string, { namespace: string; stage: string; seconds: number }> {
  const ages = new Map<string, { namespace: string; stage: string; seconds: number }>();
  for (const run of runs) {
    const key = playKey(run);
    if (!key) continue;
    const { stage } = stageOf(run, config);
    const id = `${key.namespace}/${stage}`;
    const entry = ages.get(id) ?? { namespace: key.namespace, stage, seconds: 0 };
    const created = Date.parse(run.metadata?.creationTimestamp ?? '');
    if (!ended(run) && !Number.isNaN(created))
      entry.seconds = Math.max(entry.seconds, Math.max(0, (now.getTime() - created) / 1000));
    ages.set(id, entry);
  }
  return ages;
}

export function registerStageAges(
  registry: Registry,
  runs: ReadOnlyStore<CodeRun>,
  config: () => ControllerConfig,
  clock: Clock = realClock,
): void {
  // A manager started again in the same process (tests) reads its own cache, not the old one's.
  registry.removeSingleMetric(STAGE_AGE_METRIC);
  new Gauge({
    name: STAGE_AGE_METRIC,
    help: "Seconds since the oldest play stage that has not ended (a CodeRun an Argo Workflow created) was created, by the run's namespace (run_namespace) and stage; 0 when every run of the stage ended.",
    labelNames: ['run_namespace', 'stage'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { namespace, stage, seconds } of stageAges(runs.list(), config(), clock.now()).values())
        this.set({ run_namespace: namespace, stage }, Math.round(seconds));
    },
  });
}
