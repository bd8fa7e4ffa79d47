// Each stage of an Argo Workflow (a CodeRun it created) observed as it ends, on the leader (docs/argo.md
// "Stage results and cost", decision 0056): counted (stage-metrics.ts), recorded as a span in the run's
// trace with repo, pull request, task, agent and step, and written to the pull request: the Workflow's
// one report comment (stage-report.ts) posted or edited in place by the operator with a token of its
// first run's App for that one repository (the agents hold none of this). Only ends seen since the
// process started are counted and traced (a restart re-reads every run), and a report is not sent again
// while its body is what was last said. Best effort: a GitHub failure is an Event, never the run's; a
// transient one is tried again a few times. Before all that, the play's task marker read and recorded
// on its Workflow for the `associated` step (association.ts).
import type { Registry } from 'prom-client';
import type { CodeRun, ControllerConfig } from '../../api/index.js';
import type { PullRequestReports, TaskMarkers } from '../../github/index.js';
import { recordPastSpan, runTraceContext } from '../../observability/index.js';
import {
  type ApiRequester,
  type Clock,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  realClock,
} from '../../runtime/index.js';
import { recordEvent } from '../reconcile/events.js';
import { finishedAt } from '../reconcile/expiry.js';
import { Remembered } from '../remembered.js';
import { PlayAssociation } from './association.js';
import { type StageMetrics, stageMetrics } from './stage-metrics.js';
import {
  ended,
  type PlayKey,
  playKey,
  playRuns,
  reportBody,
  reportMarker,
  reportTarget,
  type StageRow,
  stageRow,
} from './stage-report.js';

/** Tries of a report GitHub fails transiently before it is given up (until the next stage ends). */
export const MAX_TRIES = 5;
/** A report is sent for a stage that ended this recently: a restart does not rewrite old plays' comments. */
export const REPORT_WINDOW_MS = 24 * 3600_000;

export interface StageReporterOptions {
  client: ApiRequester;
  runs: ReadOnlyStore<CodeRun>;
  config: () => ControllerConfig;
  registry: Registry;
  /** GitHub, when the operator holds App keys; without, stages are counted and traced only. */
  reports?: PullRequestReports;
  /** GitHub's task markers, when the operator holds App keys; without, a play's marker is `unchecked`. */
  markers?: TaskMarkers;
  clock?: Clock;
}
export class StageReporter implements Reconciler {
  private readonly clock: Clock;
  private readonly metrics: StageMetrics;
  private readonly startedAt: number;
  /** Run ends already counted: `uid/phase/attempt`. */
  private readonly observed = new Remembered<true>();
  /** The body last said (or given up on) under each report's marker. */
  private readonly said = new Remembered<string>();

  private readonly association: PlayAssociation;

  constructor(private readonly opts: StageReporterOptions) {
    this.clock = opts.clock ?? realClock;
    this.metrics = stageMetrics(opts.registry);
    this.association = new PlayAssociation({
      client: opts.client,
      runs: opts.runs,
      ...(opts.markers ? { markers: opts.markers } : {}),
      maxTries: MAX_TRIES,
      now: () => this.clock.now(),
    });
    // Whole seconds, as completionTime is written: an end in the second the process started counts.
    this.startedAt = Math.floor(this.clock.now().getTime() / 1000) * 1000;
  }

  async reconcile({ namespace, name }: Request, ctx: ReconcileContext): Promise<Result | undefined> {
    const run = this.opts.runs.get(namespace, name);
    const key = run ? playKey(run) : undefined;
    if (!run || !key) return undefined;
    const config = this.opts.config();
    // Before the report: the play's `associated` step waits for it. Its failure is the reconcile's
    // (tried again), after the stage is counted and reported all the same.
    const association = await this.association.sync(run, key, config, ctx).then(
      () => undefined,
      (err: unknown) => ({ err }),
    );
    if (ended(run)) {
      const row = stageRow(run, config);
      this.observe(run, key, row);
      if (this.opts.reports) await this.report(run, key, config, ctx);
    } else this.metrics.seen(key.namespace, stageRow(run, config));
    if (association) throw association.err;
    return undefined;
  }

  /** Counts and traces the run's end once, when it ended while this process ran. */
  private observe(run: CodeRun, key: PlayKey, row: StageRow): void {
    const id = `${run.metadata?.uid}/${row.outcome}/${row.attempts}`;
    const end = finishedAt(run)?.getTime() ?? Number.NaN;
    if (this.observed.has(id) || !(end >= this.startedAt)) return;
    this.observed.set(id, true);
    this.metrics.ended(key.namespace, row);
    const start = Date.parse(run.status?.startTime ?? run.metadata?.creationTimestamp ?? '');
    const pr = row.pullRequest;
    recordPastSpan('play.stage', {
      start: new Date(Number.isNaN(start) ? end : start),
      end: new Date(end),
      parent: runTraceContext(run),
      attributes: {
        'orchestrator.repo': run.spec.repositoryUrl,
        ...(pr ? { 'orchestrator.pull_request': `${pr.owner}/${pr.repo}#${pr.number}` } : {}),
        'orchestrator.task_id': key.taskId,
        'orchestrator.agent': row.agent,
        'orchestrator.step': row.stage,
        'orchestrator.workflow': key.workflow,
        'orchestrator.run.name': row.run,
        'orchestrator.outcome': row.outcome,
        'orchestrator.attempts': row.attempts,
        ...(row.round ? { 'orchestrator.round': row.round } : {}),
        ...(row.costUsd ? { 'orchestrator.cost_usd': row.costUsd } : {}),
      },
      ...(row.outcome === 'Succeeded' ? {} : { error: `the stage ended ${row.outcome}` }),
    });
  }

  /** The play's report, posted or edited on its pull request unless it says what was last said. */
  private async report(run: CodeRun, key: PlayKey, config: ControllerConfig, ctx: ReconcileContext) {
    const reports = this.opts.reports;
    const now = this.clock.now();
    const end = finishedAt(run)?.getTime() ?? Number.NaN;
    if (!reports || !(end > now.getTime() - REPORT_WINDOW_MS)) return;
    const runs = playRuns(key, this.opts.runs.list(key.namespace));
    const target = reportTarget(runs, config);
    if (!target) return;
    const marker = reportMarker(key, target.app);
    const body = reportBody(
      key,
      target.app,
      runs.map((r) => stageRow(r, config)),
    );
    if (this.said.get(marker) === body) return;
    const { owner, repo, number } = target.pullRequest;
    const where = `pull request ${owner}/${repo}#${number}`;
    const events = { now, logger: ctx.logger, signal: ctx.signal };
    const since = runs[0]?.metadata?.creationTimestamp;
    try {
      const done = await reports.upsert({ ...target, marker, body, ...(since ? { since } : {}) }, ctx.signal);
      this.said.set(marker, body);
      if (done.done === 'unchanged') return;
      await recordEvent(
        this.opts.client,
        run,
        {
          type: 'Normal',
          reason: 'PlayStagesReported',
          message: `the stages of Workflow ${key.workflow} (task ${key.taskId}) are said on ${where}: ${done.url}`,
        },
        events,
      );
    } catch (err) {
      const failure = err as Error & { transient?: boolean };
      if (failure.transient && ctx.retries < MAX_TRIES - 1) throw err;
      // Given up until the report changes (the next stage's end).
      this.said.set(marker, body);
      await recordEvent(
        this.opts.client,
        run,
        {
          type: 'Warning',
          reason: 'PlayStagesReportFailed',
          message: `could not say the stages of Workflow ${key.workflow} on ${where}; they are in the runs' status and the Workflow's outputs: ${failure.message}`,
        },
        events,
      );
    }
  }
}
