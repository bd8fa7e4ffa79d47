// Keeps each attempt's prepare and agent logs after its pod (docs/logs.md): a reconciler keyed by the
// runs' pods, on the leader only. When a container has ended (or is ending, its pod being deleted), its
// log is read once through the apiserver, held within logs.keptBytes, written into a sealed ConfigMap the
// run owns, and named in the run's status.logs; a log that could not be kept is named there too, with
// why, and said by a Warning Event. A pod deleted while its logs were due (the keeper saw them due, the
// pod went before they were read) is such a log. Reads run a few at a time: each holds up to keptBytes.
import type { ControllerConfig, RunKindName, RunOf, RunStatus } from '../../api/index.js';
import { keptEntry } from '../../runs/index.js';
import {
  ApiError,
  CONFIGMAPS,
  type KubeClient,
  type KubeObject,
  PODS,
  type ReadOnlyStore,
  type ReconcileContext,
  type Reconciler,
  type Request,
  type Result,
  resourcePath,
} from '../../runtime/index.js';
import type { Seal } from '../provenance/index.js';
import { recordEvent } from '../reconcile/events.js';
import { createOrAdopt, deleteExactly } from '../reconcile/owned-objects.js';
import { patchRunStatus } from '../run-status-patch.js';
import { BoundedLog } from './bounded-log.js';
import { fitGzip, keptLogConfigMap } from './kept-log-object.js';
import { type DueLogs, dueLogs, podRun } from './logs-due.js';

/** The most of a reason status.logs holds (its schema's maxLength is 1024). */
const MAX_LOST = 1000;
/** The newest entries status.logs keeps (its schema's maxItems). */
export const MAX_LOG_ENTRIES = 64;
/** How long a log being read may go without a line before the read is given up (and tried again). */
export const READ_IDLE_MS = 5 * 60_000;
/**
 * Reads of a log before it is said lost (a kubelet unreachable that long): READ_RETRY_MS apart,
 * doubling up to READ_RETRY_MAX_MS, over about eight minutes.
 */
export const READ_TRIES = 8;
export const READ_RETRY_MS = 5_000;
export const READ_RETRY_MAX_MS = 160_000;
/** Pods whose logs were all kept, remembered so that a late event does not read them again. */
const REMEMBERED = 4096;

type Entry = NonNullable<RunStatus['logs']>[number];

export interface LogKeeperOptions {
  client: Pick<KubeClient, 'request' | 'stream'>;
  pods: ReadOnlyStore;
  jobs: ReadOnlyStore;
  runs: (kind: RunKindName) => ReadOnlyStore<RunOf<RunKindName>>;
  config: () => ControllerConfig;
  seal: Seal;
  now?: () => Date;
}

/** Why a read of a log failed, as status says it. */
const readProblem = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 300);

export class LogKeeper implements Reconciler {
  /** Logs seen due and not kept yet, by pod key: what to say if the pod goes first. */
  private readonly due = new Map<string, { found: DueLogs; tries: number; problem?: string }>();
  /** `podUid/container` of logs kept (or said lost) lately. */
  private readonly done = new Set<string>();

  constructor(private readonly opts: LogKeeperOptions) {}

  async reconcile({ namespace, name }: Request, ctx: ReconcileContext): Promise<Result | undefined> {
    const key = `${namespace}/${name}`;
    const pod = this.opts.pods.get(namespace, name);
    if (!pod) return this.podGone(key, ctx);
    if (this.opts.config().logs.keptBytes === 0) return undefined;
    const found = podRun(pod, this.opts.jobs, this.opts.runs);
    if (!found) return undefined;
    const uid = pod.metadata?.uid ?? '';
    const due = dueLogs(pod, found, (c) => this.done.has(`${uid}/${c}`));
    if (due.containers.length === 0) return undefined;
    const tries = (this.due.get(key)?.tries ?? 0) + 1;
    this.due.set(key, { found: due, tries });
    for (const { name: container, follow } of due.containers) {
      let entry: Entry;
      try {
        entry = await this.keep(pod, due, container, follow, ctx);
      } catch (err) {
        const problem = readProblem(err);
        // Tried again by a requeue, not as a failed reconcile: a kubelet that does not answer (every
        // simulated node of the local cluster) is the log's problem, said in status, not the manager's.
        if (tries < READ_TRIES) {
          this.due.set(key, { found: due, tries, problem });
          return { requeueAfter: Math.min(READ_RETRY_MS * 2 ** (tries - 1), READ_RETRY_MAX_MS) };
        }
        entry = { attempt: due.attempt, container, bytes: 0, lost: `${READ_TRIES} reads failed: ${problem}` };
      }
      await this.record(due, entry, ctx);
      this.remember(`${uid}/${container}`);
    }
    this.due.delete(key);
    return undefined;
  }

  /** Reads the container's log and writes its ConfigMap; the entry says what was kept, or why not. */
  private async keep(
    pod: KubeObject,
    due: DueLogs,
    container: string,
    follow: boolean,
    { signal }: ReconcileContext,
  ): Promise<Entry> {
    const { client, config } = this.opts;
    const podName = pod.metadata?.name ?? '';
    const held = new BoundedLog(config().logs.keptBytes);
    const base = { attempt: due.attempt, container };
    try {
      await client.stream(
        `${resourcePath(PODS, pod.metadata?.namespace, podName)}/log`,
        { container, timestamps: true, ...(follow ? { follow: true } : {}) },
        (chunk) => held.add(chunk),
        // Not counted as the apiserver's answers: the kubelet's, relayed (StreamOptions.counted).
        {
          signal,
          accept: '*/*',
          idleTimeoutMs: READ_IDLE_MS,
          what: `the log of pod ${podName}`,
          counted: false,
        },
      );
    } catch (err) {
      // The pod or its container is gone (404, or 400 once the kubelet removed it), or the read of an
      // ending pod broke (it will be gone before another): what was read is what there is, kept and
      // said to be in part. Anything else (an unreachable kubelet) is read again while the pod is there.
      const gone = err instanceof ApiError && (err.status === 404 || err.status === 400);
      if (!gone && !(follow && held.held().bytes > 0)) throw err;
      const lost = gone
        ? `pod ${podName} went before its log was read whole: ${readProblem(err)}`
        : `the read of pod ${podName}'s log broke before its container ended: ${readProblem(err)}`;
      if (held.held().bytes === 0) return { ...base, bytes: 0, lost };
      const written = await this.write(pod, due, container, held, base, signal);
      return { ...written, lost: written.lost ? `${written.lost}; ${lost}` : lost };
    }
    return this.write(pod, due, container, held, base, signal);
  }

  private async write(
    pod: KubeObject,
    due: DueLogs,
    container: string,
    held: BoundedLog,
    base: { attempt: number; container: string },
    signal: AbortSignal,
  ): Promise<Entry> {
    const { client, config, seal } = this.opts;
    const log = held.held();
    const { gzip, keptBytes } = fitGzip(log);
    const body = keptLogConfigMap({
      kind: due.ref.kind,
      run: due.run,
      config: config(),
      jobName: due.jobName,
      container,
      pod: pod.metadata?.name ?? '',
      gzip,
    });
    const owner = { uid: due.ref.uid, status: due.run.status as RunStatus, kind: due.ref.kind, seal };
    const sealed = seal.stamp(body, 'ConfigMap', due.ref.uid);
    let made: Awaited<ReturnType<typeof createOrAdopt>>;
    try {
      made = await createOrAdopt(client, CONFIGMAPS, sealed, owner, signal, true);
      // One the operator made for this run before (a write whose status entry was lost) is replaced,
      // never adopted: the seal names the object, not its data, which anyone with `edit` could have
      // written again under a copied seal. A second one in the meantime is said lost.
      if (made.object && !made.created) {
        await deleteExactly(client, CONFIGMAPS, made.object, signal);
        made = await createOrAdopt(client, CONFIGMAPS, sealed, owner, signal, true);
        if (made.object && !made.created)
          return {
            ...base,
            bytes: log.bytes,
            lost: `ConfigMap ${body.metadata?.name} was made again while it was replaced`,
          };
      }
    } catch (err) {
      // Refused for good (a quota, a policy): said in status, not tried again.
      if (err instanceof ApiError && (err.status === 403 || err.status === 422))
        return {
          ...base,
          bytes: log.bytes,
          lost: `ConfigMap ${body.metadata?.name} refused: ${readProblem(err)}`,
        };
      throw err;
    }
    if (made.conflict) {
      const lost = `ConfigMap ${body.metadata?.name} exists and is not the operator's for this run (${made.why}): the log was not written over it`;
      return { ...base, bytes: log.bytes, lost };
    }
    return {
      ...base,
      configMap: body.metadata?.name ?? '',
      uid: made.object?.metadata?.uid ?? '',
      bytes: log.bytes,
      keptBytes,
    };
  }

  /** The entry into the run's status (unless one is there already), and a Warning Event when lost. */
  private async record(due: DueLogs, whole: Entry, ctx: ReconcileContext): Promise<void> {
    // Within status's bound: a reason may quote an owner's name, which anyone with `edit` chooses.
    const entry = whole.lost ? { ...whole, lost: whole.lost.slice(0, MAX_LOST) } : whole;
    const patched = await patchRunStatus(
      this.opts.client,
      due.ref,
      (run) => {
        if (keptEntry(run, entry.attempt, entry.container)) return undefined;
        const logs = [...((run.status as RunStatus | undefined)?.logs ?? []), entry];
        return { logs: logs.slice(-MAX_LOG_ENTRIES) };
      },
      ctx.signal,
    );
    if (patched.outcome === 'stale')
      throw new Error(`the status of ${due.ref.kind} ${due.ref.name} kept changing`);
    if (patched.outcome !== 'written' || !entry.lost) return;
    await recordEvent(
      this.opts.client,
      patched.run,
      {
        type: 'Warning',
        reason: 'LogNotKept',
        message: `attempt ${entry.attempt}'s ${entry.container} log ${entry.configMap ? 'was kept in part' : 'was not kept'}: ${entry.lost}`,
      },
      { now: this.opts.now?.() ?? new Date(), logger: ctx.logger, signal: ctx.signal },
    );
  }

  /** A pod gone while some of its logs were due: each said lost, with the last read's problem. */
  private async podGone(key: string, ctx: ReconcileContext): Promise<undefined> {
    const pending = this.due.get(key);
    if (!pending) return undefined;
    this.due.delete(key);
    const why = pending.problem ? `: ${pending.problem}` : '';
    for (const { name } of pending.found.containers) {
      const lost = `its pod was deleted before its log was read${why}`;
      await this.record(
        pending.found,
        { attempt: pending.found.attempt, container: name, bytes: 0, lost },
        ctx,
      );
    }
  }

  private remember(done: string): void {
    if (this.done.size >= REMEMBERED) this.done.delete(this.done.values().next().value ?? '');
    this.done.add(done);
  }
}
