// The stages of Argo Workflows (config/argo: each stage a CodeRun the Workflow created), observed by
// the leader as they end (docs/argo.md "Stage results and cost", decision 0056): counted, traced, and
// written to the pull request as one comment kept up to date.
// - stage-metrics.ts: the counters of stage outcomes and retries.
// - stage-ages.ts: the gauge of how long each stage's oldest unfinished run has been going.
// - stage-report.ts: which runs are a Workflow's stages, their rows, and the comment that lists them.
// - stage-reporter.ts: the reconciler: each ended stage counted, traced and reported once.
// - association.ts: the task marker of the play's pull request, read when its implementation or quality
//   stage succeeds and recorded on the Workflow for its `associated` step (decision 0057).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CodeRun, ControllerConfig } from '../../api/index.js';
import type { PullRequestReports, TaskMarkers } from '../../github/index.js';
import {
  type Cache,
  Controller,
  ItemExponentialRateLimiter,
  type KubeClient,
  type KubeObject,
  mapToSelf,
} from '../../runtime/index.js';
import { filtered, never } from '../event-filters.js';
import { registerStageAges } from './stage-ages.js';
import { ended, playKey } from './stage-report.js';
import { StageReporter } from './stage-reporter.js';

export interface PlayStagesOptions {
  client: KubeClient;
  registry: Registry;
  logger: Logger;
  config: () => ControllerConfig;
  runs: Cache<CodeRun>;
  reports?: PullRequestReports;
  markers?: TaskMarkers;
}

const ofPlay = (run: KubeObject) => playKey(run as CodeRun) !== undefined;
const stageEnded = (run: KubeObject) => ended(run as CodeRun) && ofPlay(run);
/** What the report and the counters read of a run's status. */
const reported = (run: KubeObject) => {
  const s = (run as CodeRun).status;
  return `${s?.phase}/${s?.attempt}/${s?.pullRequestUrl}/${s?.usage?.costUsd}`;
};

/** The controller of the Workflows' stages: ended CodeRuns of a Workflow, one at a time. */
export function playStagesController(opts: PlayStagesOptions): Controller {
  const { client, registry, logger, config, runs, reports, markers } = opts;
  registerStageAges(registry, runs.store, config);
  return new Controller({
    name: 'play-stages',
    reconciler: new StageReporter({
      client,
      runs: runs.store,
      config,
      registry,
      ...(reports ? { reports } : {}),
      ...(markers ? { markers } : {}),
    }),
    registry,
    logger,
    // One at a time: two stages of one play ending together edit one comment.
    maxConcurrentReconciles: 1,
    // GitHub failing for a moment: the tries (MAX_TRIES) 5 s apart, doubling, over about a minute.
    rateLimiter: () => new ItemExponentialRateLimiter({ baseDelayMs: 5_000, maxDelayMs: 300_000 }),
  }).watch(
    filtered(runs, {
      // A stage starting (the play's marker reading removed), and each end.
      add: ofPlay,
      update: (old, run) =>
        ofPlay(run) &&
        (ended(old as CodeRun) !== ended(run as CodeRun) ||
          (stageEnded(run) && reported(old) !== reported(run))),
      delete: never,
    }),
    mapToSelf,
  );
}
