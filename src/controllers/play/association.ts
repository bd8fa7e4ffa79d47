// The task marker of a play, read for its `associated` step (docs/argo.md "The event-gated play",
// decision 0057): when the play's implementation or quality run succeeds, the operator reads the
// marker file at the head of the play's pull request (the first run's, in its App's repositories, as
// the stage report) and records the reading on the Workflow: the label `play-marker-read` (which the
// step waits for) and the annotations `play-marker` (`task-N`, `missing`, `unreadable`, or `unchecked`
// when the operator holds no App keys), `play-marker-detail` (its own sentence), `play-marker-commit`
// and `play-marker-pr`. When such a run starts, the reading is removed, so a step never takes an
// earlier stage's. Only the play's latest such run counts (a restart re-reads every run), and only
// runs of a Workflow named as a play of their task (play-{service}-t{N}).
import type { CodeRun, ControllerConfig } from '../../api/index.js';
import type { MarkerReading, TaskMarkers } from '../../github/index.js';
import { taskMarkerPath } from '../../naming/index.js';
import {
  type ApiRequester,
  isConflict,
  isNotFound,
  type ReadOnlyStore,
  type ReconcileContext,
  resourcePath,
} from '../../runtime/index.js';
import { finishedAt } from '../reconcile/expiry.js';
import { Remembered } from '../remembered.js';
import { ended, type PlayKey, playRuns, reportTarget, stageOf } from './stage-report.js';

/** The label the play's `associated` step waits for: a reading is recorded. */
const MARKER_LABEL = 'play-marker-read';
const MARKER_ANNOTATIONS = {
  verdict: 'play-marker',
  detail: 'play-marker-detail',
  commit: 'play-marker-commit',
  pullRequest: 'play-marker-pr',
} as const;

/** The stages an `associated` step follows. */
const CHECKED_STAGES = new Set(['implementation', 'quality']);

/** A reading is taken for a run that ended this recently: a restart does not re-read old plays. */
export const MARKER_WINDOW_MS = 24 * 3600_000;

const WORKFLOWS = { group: 'argoproj.io', version: 'v1alpha1', plural: 'workflows', kind: 'Workflow' };

/** A reading as recorded: the verdict's word, the operator's sentence, where it was read. */
export interface RecordedReading {
  verdict: string;
  detail: string;
  commit?: string;
  pullRequest?: number;
}

/**
 * The merge patch of the Workflow `uid`: `reading` recorded, or (undefined) removed. The uid is a
 * precondition: a Workflow deleted and made again under the name is another play, and refuses it.
 */
export function markerPatch(uid: string, reading: RecordedReading | undefined) {
  return {
    metadata: {
      uid,
      labels: { [MARKER_LABEL]: reading ? 'true' : null },
      annotations: {
        [MARKER_ANNOTATIONS.verdict]: reading?.verdict ?? null,
        [MARKER_ANNOTATIONS.detail]: reading?.detail ?? null,
        [MARKER_ANNOTATIONS.commit]: reading?.commit ?? null,
        [MARKER_ANNOTATIONS.pullRequest]:
          reading?.pullRequest === undefined ? null : String(reading.pullRequest),
      },
    },
  };
}

/** The annotation's word for a verdict: what the play's check compares. */
const verdictWord = (r: MarkerReading) =>
  r.verdict.kind === 'task' ? `task-${r.verdict.taskId}` : r.verdict.kind;

export interface PlayAssociationOptions {
  client: ApiRequester;
  runs: ReadOnlyStore<CodeRun>;
  /** GitHub, when the operator holds App keys; without, the reading is `unchecked`. */
  markers?: TaskMarkers;
  /** Tries of a reading GitHub fails transiently, before it is recorded `unreadable`. */
  maxTries: number;
  now: () => Date;
}

export class PlayAssociation {
  /** What was done for a run: its reading removed (it runs), or recorded (it succeeded). */
  private readonly done = new Remembered<'removed' | 'recorded'>();

  constructor(private readonly opts: PlayAssociationOptions) {}

  /** The play's reading kept to `run`'s state, when `run` is the play's latest checked stage. */
  async sync(run: CodeRun, key: PlayKey, config: ControllerConfig, ctx: ReconcileContext): Promise<void> {
    if (!new RegExp(`^play-.+-t${key.taskId}$`).test(key.workflow)) return;
    const runs = playRuns(key, this.opts.runs.list(key.namespace));
    const latest = runs.filter((r) => CHECKED_STAGES.has(stageOf(r, config).stage)).at(-1);
    const uid = run.metadata?.uid ?? '';
    if (latest?.metadata?.uid !== uid) return;
    if (!ended(run)) {
      if (this.done.has(uid)) return;
      await this.patch(key, undefined, ctx);
      this.done.set(uid, 'removed');
      return;
    }
    const end = finishedAt(run)?.getTime() ?? Number.NaN;
    if (run.status?.phase !== 'Succeeded' || this.done.get(uid) === 'recorded') return;
    if (!(end > this.opts.now().getTime() - MARKER_WINDOW_MS)) return;
    const reading = await this.read(runs, key, config, ctx);
    await this.patch(key, reading, ctx);
    this.done.set(uid, 'recorded');
  }

  private async read(
    runs: CodeRun[],
    key: PlayKey,
    config: ControllerConfig,
    ctx: ReconcileContext,
  ): Promise<RecordedReading> {
    const { markers } = this.opts;
    const path = taskMarkerPath(key.taskId);
    if (!markers)
      return { verdict: 'unchecked', detail: `${path} was not read: the operator holds no GitHub App keys` };
    const target = reportTarget(runs, config);
    if (!target)
      return {
        verdict: 'unreadable',
        detail: `${path} could not be read: the play's first run reported no pull request in its App's repositories`,
      };
    const { pullRequest } = target;
    try {
      const reading = await markers.read({ ...target, taskId: key.taskId }, ctx.signal);
      return { ...reading, verdict: verdictWord(reading), pullRequest: pullRequest.number };
    } catch (err) {
      const failure = err as Error & { transient?: boolean };
      if (failure.transient && ctx.retries < this.opts.maxTries - 1) throw err;
      return {
        verdict: 'unreadable',
        detail: `${path} could not be read: ${failure.message}`,
        pullRequest: pullRequest.number,
      };
    }
  }

  private async patch(key: PlayKey, reading: RecordedReading | undefined, ctx: ReconcileContext) {
    try {
      await this.opts.client.request('PATCH', resourcePath(WORKFLOWS, key.namespace, key.workflow), {
        body: markerPatch(key.uid, reading),
        contentType: 'application/merge-patch+json',
        signal: ctx.signal,
        discardAnswer: true,
      });
    } catch (err) {
      // Gone, or another Workflow under its name: nothing of this play to record on.
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }
}
