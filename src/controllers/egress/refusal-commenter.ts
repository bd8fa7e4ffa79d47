// The hosts the egress proxy refused, said on the run's pull request: one comment per attempt, posted
// by the operator with its App's token (the agent holds none), on the leader (docs/agent-pods.md
// "Egress", docs/decisions/0050-egress-refusals-on-the-pull-request.md). A run's attempt is due a comment
// when it is over (the run finished, or its retry is scheduled), the proxy refused requests since the
// last comment, and the run acts as a GitHub App whose repositories hold its pull request. A GitHub
// user's run gets none: the operator speaks only as an App it holds the key of.
// The comment waits a moment after the attempt is seen over, so that the proxy's last lines are read
// into status first (the access log is read every 2 s). Then, read afresh from the apiserver, it is
// posted unless found on the pull request already, and recorded in status.egressRefusals.
// pullRequestComment, so that a restart or another reconcile does not post it twice. Best effort: a
// GitHub failure is an Event, never the run's; a transient one is tried again a few times.
import {
  type ControllerConfig,
  type RunKindName,
  type RunOf,
  type RunStatus,
  resolveRun,
  runResource,
} from '../../api/index.js';
import { DEFAULT_ALLOWLIST } from '../../config/index.js';
import { agentAllowlist, commentMarker, refusalComment } from '../../egress/index.js';
import {
  type PullRequestComments,
  type PullRequestRef,
  pullRequestOf,
  tokenScope,
} from '../../github/index.js';
import {
  type ApiRequester,
  type Clock,
  isConflict,
  isNotFound,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  realClock,
  resourcePath,
} from '../../runtime/index.js';
import { findCondition } from '../conditions.js';
import { recordEvent } from '../reconcile/events.js';

/** How long after an attempt is seen over its comment waits for the proxy's last lines. */
export const SETTLE_MS = 10_000;
/** Tries of a comment GitHub fails transiently (rate limited, unreachable) before it is given up. */
export const MAX_TRIES = 5;
/** Attempts waiting to settle, remembered at most. */
const MAX_WAITING = 4096;
/** Writes of the record that meet a conflict before it is left to the marker. */
const RECORD_WRITES = 3;

type Comment = NonNullable<NonNullable<RunStatus['egressRefusals']>['pullRequestComment']>;

/** What a due comment is of. */
interface Due {
  attempt: number;
  app: string;
  pullRequest: PullRequestRef;
}

export interface RefusalCommenterOptions<K extends RunKindName> {
  kind: K;
  client: ApiRequester;
  runs: ReadOnlyStore<RunOf<K>>;
  comments: PullRequestComments;
  config: () => ControllerConfig;
  clock?: Clock;
  settleMs?: number;
}

const ENDED = new Set(['Succeeded', 'Failed', 'Cancelled']);

/** The attempt `status` says is over: the run finished, or the attempt failed and a retry is scheduled. */
export function attemptOver(status: RunStatus | undefined): number | undefined {
  const attempt = status?.attempt;
  if (!attempt) return undefined;
  const retrying = findCondition(status.conditions, 'Succeeded')?.reason === 'RetryScheduled';
  return ENDED.has(status.phase ?? '') || retrying ? attempt : undefined;
}

/** The comment `run` is due now, given the config, or undefined. */
export function dueComment<K extends RunKindName>(
  kind: K,
  run: RunOf<K>,
  config: ControllerConfig,
): Due | undefined {
  const status = run.status;
  const refusals = status?.egressRefusals;
  const attempt = attemptOver(status);
  if (!refusals || !attempt) return undefined;
  const said = refusals.pullRequestComment;
  if ((said?.attempt ?? 0) >= attempt || refusals.total <= (said?.total ?? 0)) return undefined;
  // The URL is reported from the pod: only a pull request of the run's own repositories is commented on.
  const pullRequest = pullRequestOf(status?.pullRequestUrl, config.github.host);
  const scope = tokenScope(kind, run, config);
  if (!pullRequest || !scope || pullRequest.owner.toLowerCase() !== scope.owner) return undefined;
  const repo = scope.repositories.find((r) => r.toLowerCase() === pullRequest.repo.toLowerCase());
  return repo
    ? { attempt, app: scope.app, pullRequest: { ...pullRequest, owner: scope.owner, repo } }
    : undefined;
}

const rfc3339 = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class RefusalCommenter<K extends RunKindName> implements Reconciler {
  private readonly clock: Clock;
  /** When each attempt (run uid/attempt) was first seen over, in monotonic ms. */
  private readonly seenOver = new Map<string, number>();

  constructor(private readonly opts: RefusalCommenterOptions<K>) {
    this.clock = opts.clock ?? realClock;
  }

  async reconcile({ namespace, name }: Request, ctx: ReconcileContext): Promise<Result | undefined> {
    const { kind, runs, config } = this.opts;
    const cached = runs.get(namespace, name);
    const due = cached && dueComment(kind, cached, config());
    const key = `${cached?.metadata?.uid}/${due?.attempt}`;
    if (!cached || !due) return undefined;
    const first = this.seenOver.get(key) ?? this.clock.nowMs();
    if (!this.seenOver.has(key)) this.remember(key, first);
    const wait = first + (this.opts.settleMs ?? SETTLE_MS) - this.clock.nowMs();
    if (wait > 0) return { requeueAfter: wait };
    // The cache may lag a record just written: what is posted is decided on the stored run.
    const run = await this.read(kind, namespace, name, cached.metadata?.uid);
    const now = run && dueComment(kind, run, config());
    if (!run || !now || now.attempt !== due.attempt) {
      this.seenOver.delete(key);
      return undefined;
    }
    await this.say(run, now, ctx);
    this.seenOver.delete(key);
    return undefined;
  }

  /** Posts the comment (or finds it), records it, and says so in an Event; gives up as best effort. */
  private async say(run: RunOf<K>, due: Due, ctx: ReconcileContext): Promise<void> {
    const { kind, config, comments } = this.opts;
    const refusals = run.status?.egressRefusals;
    if (!refusals) return;
    const { namespace = '', name = '', uid = '' } = run.metadata ?? {};
    const { agent } = resolveRun(kind, run, config());
    const previous = refusals.pullRequestComment;
    const body = refusalComment({
      run: { kind, namespace, name, uid },
      attempt: due.attempt,
      refusals,
      ...(previous ? { previous } : {}),
      ...(agent ? { agent } : {}),
      allowlist: agentAllowlist(config(), agent) ?? DEFAULT_ALLOWLIST,
    });
    const { owner, repo, number } = due.pullRequest;
    const where = `pull request ${owner}/${repo}#${number}`;
    const events = { now: this.clock.now(), logger: ctx.logger, signal: ctx.signal };
    const at = rfc3339(this.clock.now());
    const record: Comment = { attempt: due.attempt, total: refusals.total, at };
    try {
      const posted = await comments.post(
        {
          app: due.app,
          pullRequest: due.pullRequest,
          marker: commentMarker(uid, due.attempt),
          body,
          ...(run.status?.startTime ? { since: run.status.startTime } : {}),
        },
        ctx.signal,
      );
      await this.record(run, { ...record, url: posted.url }, ctx);
      await recordEvent(
        this.opts.client,
        run,
        {
          type: 'Normal',
          reason: 'EgressRefusalsCommented',
          message: `the hosts the egress proxy refused (attempt ${due.attempt}) are said on ${where}: ${posted.url}${posted.found ? ' (found there already)' : ''}`,
        },
        events,
      );
    } catch (err) {
      const failure = err as Error & { transient?: boolean };
      if (failure.transient && ctx.retries < MAX_TRIES - 1) throw err;
      await this.record(run, record, ctx);
      await recordEvent(
        this.opts.client,
        run,
        {
          type: 'Warning',
          reason: 'EgressCommentFailed',
          message: `could not say on ${where} the hosts the egress proxy refused (attempt ${due.attempt}); they are in the run's status: ${failure.message}`,
        },
        events,
      );
    }
  }

  /** The run as stored, when it is still the one of `uid`. */
  private async read(kind: K, namespace: string, name: string, uid: string | undefined) {
    try {
      const run = await this.opts.client.request<RunOf<K>>(
        'GET',
        resourcePath(runResource(kind), namespace, name),
      );
      return run.metadata?.uid === uid ? run : undefined;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  /**
   * status.egressRefusals.pullRequestComment, by a merge patch guarded by the version read (read again
   * on a conflict). Not written: logged, and the comment is found by its marker next time.
   */
  private async record(run: RunOf<K>, comment: Comment, { signal, logger }: ReconcileContext): Promise<void> {
    const { kind, client } = this.opts;
    const { namespace = '', name = '', uid } = run.metadata ?? {};
    const path = resourcePath(runResource(kind), namespace, name);
    let current: RunOf<K> | undefined = run;
    for (let i = 0; i < RECORD_WRITES && current; i++) {
      try {
        await client.request('PATCH', `${path}/status`, {
          body: {
            metadata: { resourceVersion: current.metadata?.resourceVersion },
            status: { egressRefusals: { pullRequestComment: comment } },
          },
          contentType: 'application/merge-patch+json',
          signal,
          discardAnswer: true,
        });
        return;
      } catch (err) {
        if (!isConflict(err)) {
          logger.warn(
            { err: (err as Error).message, run: `${namespace}/${name}` },
            'could not record the comment',
          );
          return;
        }
      }
      current = await this.read(kind, namespace, name, uid);
    }
  }

  /** Remembers when an attempt was first seen over; the oldest entries go past the bound. */
  private remember(key: string, at: number): void {
    this.seenOver.set(key, at);
    while (this.seenOver.size > MAX_WAITING)
      this.seenOver.delete(this.seenOver.keys().next().value as string);
  }
}
