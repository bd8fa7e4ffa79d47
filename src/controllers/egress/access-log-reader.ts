// Reads the egress proxy's access log, pod by pod, and puts each refused request on the run whose pod
// sent it (docs/decisions/0033-egress-refusals-by-source-address.md). A reconciler keyed by the proxy's
// pods, on the leader only: each reconcile reads the log lines written since the last one read (the
// kubelet's timestamp of that line is kept on the proxy's pod, so a new leader goes on from there),
// attributes the refusals (refusal-book.ts), writes them into their runs (refusal-writer.ts) and looks
// again a moment later. What is read per call is bounded; a long log is read over several calls.
import { ACCESS_LOG_CONTAINER, parseRefusal, type Refusal } from '../../egress/index.js';
import {
  type ApiRequester,
  type Clock,
  type KubeObject,
  PODS,
  type Query,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  realClock,
  resourcePath,
} from '../../runtime/index.js';
import type { PodsByAddress } from './pods-by-address.js';
import { type RefusalBook, refusingRun } from './refusal-book.js';
import type { RefusalMetrics } from './refusal-metrics.js';
import { writeRefusals } from './refusal-writer.js';

/** On a proxy pod: the kubelet's timestamp of the last line of its access log the operator read. */
export const READ_ANNOTATION = 'orchestrator.io/access-log-read';
/** How often a proxy pod's log is looked at. */
export const POLL_MS = 2_000;
/** The most bytes of log one call reads (limitBytes). */
export const READ_LIMIT_BYTES = 1024 * 1024;

/**
 * How long a refusal no pod answers for yet waits for the pods' cache: a pod's address and start
 * reach the cache through a watch, which can lag the proxy's log by seconds under load, and an agent
 * refused in its first second (its clone) would otherwise be nobody's.
 */
export const ATTRIBUTION_WAIT_MS = 30_000;
/** The most refusals waiting so (beyond, one no pod answers for is counted unattributed at once). */
export const MAX_WAITING = 4096;

/** Reads `query` of the log of pod `path`, as text. */
export type LogReader = (path: string, query: Query, signal: AbortSignal) => Promise<string>;

export interface AccessLogReaderOptions {
  client: ApiRequester;
  readLog: LogReader;
  /** The proxy's pods (its namespace, its pods' labels). */
  proxyPods: ReadOnlyStore;
  pods: PodsByAddress;
  jobs: ReadOnlyStore;
  book: RefusalBook;
  metrics: RefusalMetrics;
  clock?: Clock;
}

/** A kubelet timestamp (RFC 3339, up to 9 digits of fraction) in a form that sorts as time does. */
export function stampKey(stamp: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(stamp);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}` : '';
}

/** The whole lines of `text` stamped after `after`, and the stamp of the last one. */
export function linesAfter(text: string, after: string | undefined): { lines: string[]; last?: string } {
  const floor = after ? stampKey(after) : '';
  const whole = text.slice(0, text.lastIndexOf('\n') + 1);
  const lines: string[] = [];
  let last: string | undefined;
  for (const line of whole.split('\n')) {
    const space = line.indexOf(' ');
    const stamp = space > 0 ? line.slice(0, space) : '';
    const key = stampKey(stamp);
    if (!key || key <= floor) continue;
    lines.push(line.slice(space + 1));
    last = stamp;
  }
  return last ? { lines, last } : { lines };
}

export class AccessLogReader implements Reconciler {
  private readonly clock: Clock;
  /** Refusals no pod answered for when read, younger than ATTRIBUTION_WAIT_MS, oldest first. */
  private waiting: Refusal[] = [];

  constructor(private readonly opts: AccessLogReaderOptions) {
    this.clock = opts.clock ?? realClock;
  }

  async reconcile({ namespace, name }: Request, ctx: ReconcileContext): Promise<Result | undefined> {
    const { proxyPods, readLog } = this.opts;
    const pod = proxyPods.get(namespace, name);
    if (!pod || (pod.status as { phase?: string } | undefined)?.phase !== 'Running') return undefined;
    const mark = pod.metadata?.annotations?.[READ_ANNOTATION];
    const path = `${resourcePath(PODS, namespace, name)}/log`;
    const query: Query = {
      container: ACCESS_LOG_CONTAINER,
      timestamps: true,
      limitBytes: READ_LIMIT_BYTES,
      // Whole seconds: the lines of that second read before are skipped by their stamp.
      ...(mark && stampKey(mark) ? { sinceTime: `${mark.slice(0, 19)}Z` } : {}),
    };
    const text = await readLog(path, query, ctx.signal);
    const { lines, last } = linesAfter(text, mark);
    const read = lines.map(parseRefusal).filter((r): r is Refusal => r !== undefined);
    this.attribute(read);
    await this.flush(ctx);
    if (last) await this.markRead(pod, last, ctx.signal);
    return { requeueAfter: text.length >= READ_LIMIT_BYTES ? 1 : POLL_MS };
  }

  /**
   * Puts the refusals waiting, then `read`, on their runs; one that no cached pod could have sent
   * waits a while for the pods' cache, then counts as unattributed. Every proxy pod's reading retries
   * the waiting ones.
   */
  private attribute(read: Refusal[]): void {
    const { pods, jobs, book, metrics } = this.opts;
    const now = this.clock.now().getTime();
    const all = [...this.waiting, ...read];
    this.waiting = [];
    for (const refusal of all) {
      const run = refusingRun(refusal, pods, jobs);
      if (run) {
        if (book.add(run, refusal)) metrics.refused(run);
        else metrics.unattributed();
      } else if (
        // Two pods that could have sent it make it nobody's for good: one of them leaving the cache
        // later would not make it the other's.
        pods.holders(refusal.client, refusal.at).length === 0 &&
        now - refusal.at < ATTRIBUTION_WAIT_MS &&
        this.waiting.length < MAX_WAITING
      )
        this.waiting.push(refusal);
      else metrics.unattributed();
    }
  }

  /** Writes what is held into the runs; what cannot be written now waits for the next round. */
  private async flush({ signal, logger }: ReconcileContext): Promise<void> {
    const { book, client } = this.opts;
    for (const pending of book.drain()) {
      try {
        const outcome = await writeRefusals(client, pending, { now: this.clock.now(), logger, signal });
        if (outcome === 'stale') book.putBack(pending);
      } catch (err) {
        book.putBack(pending);
        logger.warn(
          { err: (err as Error).message, run: `${pending.run.namespace}/${pending.run.name}` },
          "could not write a run's egress refusals; trying again",
        );
      }
    }
  }

  private async markRead(pod: KubeObject, last: string, signal: AbortSignal): Promise<void> {
    const { namespace, name } = pod.metadata ?? {};
    await this.opts.client.request('PATCH', resourcePath(PODS, namespace, name), {
      body: { metadata: { annotations: { [READ_ANNOTATION]: last } } },
      contentType: 'application/merge-patch+json',
      signal,
      discardAnswer: true,
    });
  }
}
