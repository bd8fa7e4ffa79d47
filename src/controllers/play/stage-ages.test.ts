// The gauge of unfinished play stages: each stage's oldest unfinished run's age, read from the cache at
// scrape time; 0 once every run of the stage ended; no series for runs no Workflow made.
import { Registry } from 'prom-client';
import t from 'tap';
import { ManualClock } from '../../../test/harness/fakes/manual-clock.js';
import { playStage } from '../../../test/harness/fakes/play-stage.js';
import { seedConfig } from '../../../test/harness/util/app-configs.js';
import type { CodeRun } from '../../api/index.js';
import { Store } from '../../runtime/index.js';
import { registerStageAges, STAGE_AGE_METRIC } from './stage-ages.js';

const config = seedConfig();

t.test(
  'the oldest unfinished run of each stage, 0 when all ended, none for a run no Workflow made',
  async (t) => {
    const runs = new Store<CodeRun>();
    const clock = new ManualClock(new Date('2026-11-27T12:00:00Z'));
    const registry = new Registry();
    registerStageAges(registry, runs, () => config, clock);
    const read = async () => {
      const metric = await registry.getSingleMetric(STAGE_AGE_METRIC)?.get();
      return Object.fromEntries(
        (metric?.values ?? []).map((v) => [`${v.labels.run_namespace}/${v.labels.stage}`, v.value]),
      );
    };
    t.same(await read(), {}, 'no play, no series');

    runs.set(playStage('impl-old', '5DLabs-Rex', '2026-11-27T09:00:00Z'));
    runs.set(playStage('impl-new', '5DLabs-Rex', '2026-11-27T11:00:00Z'));
    runs.set(playStage('quality-r1', '5DLabs-Cleo', '2026-11-27T08:00:00Z', { phase: 'Failed' }));
    runs.set(playStage('alone', '5DLabs-Tess', '2026-11-27T01:00:00Z', {}, null));
    t.same(
      await read(),
      { 'team-a/implementation': 3 * 3600, 'team-a/quality': 0 },
      "the oldest running implementation's age; the ended quality stage at 0; no testing series",
    );

    clock.advance(1800_000);
    t.same((await read())['team-a/implementation'], 3.5 * 3600, 'the age grows at each scrape');
    runs.set(playStage('impl-old', '5DLabs-Rex', '2026-11-27T09:00:00Z', { phase: 'Succeeded' }));
    t.same((await read())['team-a/implementation'], 1.5 * 3600, 'the next oldest once the oldest ends');
    runs.delete('team-a', 'impl-new');
    runs.delete('team-a', 'impl-old');
    t.same(await read(), { 'team-a/quality': 0 }, 'a stage gone from the cache has no series');
  },
);
