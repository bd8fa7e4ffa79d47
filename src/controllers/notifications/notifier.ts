// The leader's notifier (docs/notifications.md, decision 0080): for each run, the events its status shows
// that a sink wants and that the run's record (the orchestrator.io/notified annotation) does not list are
// sent, then recorded. A send that fails for a while fails the reconcile, so the controller's backoff
// tries it again; after MAX_TRIES, or at once for a final answer, it is recorded as given up and said in a
// Warning Event. Sent and recorded are two writes: a leader stopped between them sends it again, with the
// same X-Orchestrator-Delivery id (at least once). Events older than NOTIFY_WINDOW_MS are not announced.
import {
  ANNOTATIONS,
  API_VERSION,
  type ControllerConfig,
  LABELS,
  type Run,
  type RunKindName,
  runResource,
} from '../../api/index.js';
import {
  type ApiRequester,
  type Clock,
  isNotFound,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  realClock,
  resourcePath,
} from '../../runtime/index.js';
import { recordEvent } from '../reconcile/events.js';
import { Remembered } from '../remembered.js';
import { deliver } from './delivery.js';
import { happened, wants } from './events.js';
import { notification } from './message.js';

/** Tries of a send before it is given up (with the controller's backoff, about four minutes). */
export const MAX_TRIES = 8;
/** An event older than this is not announced: a new leader does not announce old runs. */
export const NOTIFY_WINDOW_MS = 24 * 3600_000;

export interface NotifierOptions {
  client: ApiRequester;
  kind: RunKindName;
  runs: ReadOnlyStore<Run>;
  config: () => ControllerConfig;
  clock?: Clock;
}

/** The `sink/event` keys a run's record lists. */
export const recordedKeys = (run: Run): string[] =>
  (run.metadata?.annotations?.[ANNOTATIONS.notified] ?? '').split(',').filter(Boolean);

export class Notifier implements Reconciler {
  private readonly clock: Clock;
  /** What this leader recorded, by run uid: its cache may not show its own write yet. */
  private readonly written = new Remembered<readonly string[]>();

  constructor(private readonly opts: NotifierOptions) {
    this.clock = opts.clock ?? realClock;
  }

  async reconcile({ namespace, name }: Request, ctx: ReconcileContext): Promise<void> {
    const run = this.opts.runs.get(namespace, name);
    const { sinks, runUrl } = this.opts.config().notifications;
    if (!run || sinks.length === 0) return;
    const now = this.clock.now();
    const done = new Set([...recordedKeys(run), ...(this.written.get(run.metadata?.uid ?? '') ?? [])]);
    const agent = run.metadata?.labels?.[LABELS.agent];
    const due = happened(run)
      .filter((h) => h.at === undefined || Date.parse(h.at) >= now.getTime() - NOTIFY_WINDOW_MS)
      .flatMap((h) => sinks.filter((s) => wants(s, h.event, run, agent)).map((sink) => ({ sink, ...h })))
      .filter((d) => !done.has(`${d.sink.name}/${d.event}`));
    const ended: string[] = [];
    let pending: string | undefined;
    for (const d of due) {
      const key = `${d.sink.name}/${d.event}`;
      const n = notification({ ...run, kind: this.opts.kind }, d.event, d.at ?? now.toISOString(), runUrl);
      const out = await deliver(d.sink, n, ctx.signal);
      if (!out.sent && out.again && ctx.retries + 1 < MAX_TRIES) {
        pending ??= `${key}: ${out.why}`;
        continue;
      }
      ended.push(key);
      if (!out.sent)
        await this.gaveUp(run, key, `${out.why}${out.again ? ` (${MAX_TRIES} tries)` : ''}`, ctx);
    }
    if (ended.length) await this.record(run, [...done, ...ended], ctx);
    // The controller's backoff tries the rest again; the message names the sink, never its URL.
    if (pending) throw new Error(`a notification is not sent yet: ${pending}`);
  }

  /** The run's record set to `keys` (a merge patch of the one annotation). */
  private async record(run: Run, keys: string[], ctx: ReconcileContext): Promise<void> {
    const { namespace, name, uid = '' } = run.metadata ?? {};
    const value = [...new Set(keys)].sort().join(',');
    try {
      await this.opts.client.request('PATCH', resourcePath(runResource(this.opts.kind), namespace, name), {
        body: { metadata: { annotations: { [ANNOTATIONS.notified]: value } } },
        contentType: 'application/merge-patch+json',
        signal: ctx.signal,
        discardAnswer: true,
      });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    this.written.set(uid, value.split(','));
  }

  private async gaveUp(run: Run, key: string, why: string, ctx: ReconcileContext): Promise<void> {
    const [sink, event] = key.split('/');
    const involved = { ...run, apiVersion: API_VERSION, kind: this.opts.kind };
    await recordEvent(
      this.opts.client,
      involved,
      {
        type: 'Warning',
        reason: 'NotificationFailed',
        message: `the ${event} notification to sink ${sink} was not sent: ${why}`,
      },
      { now: this.clock.now(), logger: ctx.logger, signal: ctx.signal },
    );
  }
}
