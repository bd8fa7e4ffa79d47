// `--wait` and `orchestrator wait`: follows a run with a watch (reconnecting when the server ends it or
// the connection drops, re-reading after 410 Gone; no polling), prints each change, and ends with a
// summary and the exit code of the outcome: 0 Succeeded, 1 Failed or Cancelled, 2 timeout, 130 Ctrl-C.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Command } from 'commander';
import { type RunKindName, runFinished } from '../api/index.js';
import { ApiError, isForbidden, type KubeObject } from '../runtime/index.js';
import { parseDuration } from './duration.js';
import { CliExit, type CliIO, fail } from './io.js';
import { KIND_HELP, parseRef, runPath } from './kinds.js';
import { addKubeOptions, type Connection, type KubeFlags, withConnection } from './kube.js';
import { colour, exitCode, type Outcome, plain, progressLines, runStatus, summaryLines } from './progress.js';

export const DEFAULT_WAIT_TIMEOUT = '30m';
/** The outcome of a finished run by its phase (any other: failed). */
const OUTCOME_OF: Record<string, Outcome> = { Succeeded: 'succeeded', Cancelled: 'cancelled' };
/** A watch asks the server to end it after this long, so a silently dead connection is noticed. */
const WATCH_SECONDS = 300;

export interface WaitTarget {
  kind: RunKindName;
  name: string;
  namespace: string;
}

/** The terminal's status line: rewritten in place on a TTY, absent otherwise. */
class StatusLine {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;

  constructor(
    private readonly io: CliIO,
    private readonly text: () => string,
  ) {
    if (io.isTTY) this.timer = setInterval(() => this.draw(), 1000);
  }

  private draw(): void {
    this.io.out(`\r\x1b[2K${this.text()}`);
    this.shown = true;
  }

  print(lines: string[]): void {
    if (this.shown) this.io.out('\r\x1b[2K');
    this.shown = false;
    for (const line of lines) this.io.out(`${line}\n`);
    if (this.io.isTTY) this.draw();
  }

  end(): void {
    clearInterval(this.timer);
    if (this.shown) this.io.out('\r\x1b[2K');
  }
}

class Follower {
  run: KubeObject | undefined;
  private resourceVersion = '';
  deleted = false;

  constructor(
    private readonly conn: Connection,
    private readonly target: WaitTarget,
    private readonly status: StatusLine,
    private readonly io: CliIO,
  ) {}

  see(next: KubeObject): void {
    const paint = this.io.colour ? colour : plain;
    const lines = progressLines(this.run, next, new Date(), paint);
    this.run = next;
    this.resourceVersion = next.metadata?.resourceVersion ?? this.resourceVersion;
    if (lines.length) this.status.print(lines);
  }

  async read(signal: AbortSignal): Promise<void> {
    const { kind, namespace, name } = this.target;
    this.see(await this.conn.client.request('GET', runPath(kind, namespace, name), { signal }));
  }

  /** The reconciler's own notion of finished (src/api/kinds.ts), so the two never disagree. */
  finished(run: KubeObject): boolean {
    return runFinished(this.target.kind, run);
  }

  /** One watch, until it ends, breaks, or the run finishes (then true). */
  async watch(signal: AbortSignal, remainingMs: number, watchSeconds = WATCH_SECONDS): Promise<boolean> {
    const { kind, namespace, name } = this.target;
    const done = new AbortController();
    const both = AbortSignal.any([signal, done.signal]);
    let finished = false;
    let expired = false;
    const query = {
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: true,
      timeoutSeconds: Math.max(1, Math.min(watchSeconds, Math.ceil(remainingMs / 1000))),
    };
    try {
      await this.conn.client.watch(
        runPath(kind, namespace),
        query,
        (event) => {
          if (event.type === 'ERROR') expired = true;
          else if (event.type === 'BOOKMARK')
            this.resourceVersion = event.object.metadata?.resourceVersion ?? this.resourceVersion;
          else if (event.type === 'DELETED') this.deleted = true;
          else this.see(event.object);
          if (expired || this.deleted || (this.run && this.finished(this.run))) {
            finished = !expired;
            done.abort();
          }
        },
        { signal: both },
      );
    } catch (err) {
      if (signal.aborted) throw err;
      // A refusal (the REST API authorises watch apart from get) would only be met again.
      if (isForbidden(err)) throw fail((err as Error).message);
      if (!done.signal.aborted) {
        // 410 Gone (history compacted) needs a fresh read; anything else is a broken connection.
        if (!(err instanceof ApiError && err.status === 410)) await sleep(1000, undefined, { signal });
        await this.read(signal);
        return this.run !== undefined && this.finished(this.run);
      }
    }
    if (expired) await this.read(signal);
    return finished || (this.run !== undefined && this.finished(this.run));
  }
}

/** Follows one run to its end; returns the exit code (the summary is printed). */
export async function waitForRun(
  conn: Connection,
  target: WaitTarget,
  io: CliIO,
  opts: {
    timeout: string;
    deadline?: number;
    /** How long each watch lasts before the server ends it and it is made again. Default 300 s. */
    watchSeconds?: number;
  },
): Promise<number> {
  const timeoutMs = parseDuration(opts.timeout, '--timeout');
  const deadline = opts.deadline ?? Date.now() + timeoutMs;
  const started = Date.now();
  const interrupt = io.interrupted();
  const timeout = AbortSignal.timeout(Math.max(deadline - Date.now(), 0));
  const signal = AbortSignal.any([interrupt.signal, timeout]);
  const status = new StatusLine(io, () => {
    const phase = runStatus(follower.run).phase ?? 'Pending';
    const elapsed = Math.floor((Date.now() - started) / 1000);
    return `… ${phase} for ${elapsed}s (Ctrl-C stops waiting, not the run)`;
  });
  const follower: Follower = new Follower(conn, target, status, io);
  let outcome: Outcome;
  try {
    await follower.read(signal);
    let finished = follower.run !== undefined && follower.finished(follower.run);
    while (!finished && !follower.deleted)
      finished = await follower.watch(signal, deadline - Date.now(), opts.watchSeconds);
    if (follower.deleted) outcome = 'deleted';
    else outcome = OUTCOME_OF[runStatus(follower.run).phase ?? ''] ?? 'failed';
  } catch (err) {
    if (interrupt.signal.aborted) outcome = 'interrupted';
    else if (timeout.aborted) outcome = 'timeout';
    else throw err;
  } finally {
    status.end();
    interrupt.dispose();
  }
  const lines = summaryLines(target.kind, target.name, follower.run, outcome, new Date(), opts.timeout);
  for (const line of lines) io.out(`${line}\n`);
  return exitCode(outcome);
}

/** Follows several runs in turn within one deadline; the exit code is the worst outcome's. */
export async function waitForRuns(
  conn: Connection,
  targets: readonly WaitTarget[],
  io: CliIO,
  timeout: string,
): Promise<number> {
  const deadline = Date.now() + parseDuration(timeout, '--timeout');
  let code = 0;
  for (const target of targets) {
    const c = await waitForRun(conn, target, io, { timeout, deadline });
    if (c === 130) return c;
    code = Math.max(code, c);
  }
  return code;
}

export function addWaitOptions(cmd: Command): Command {
  return cmd
    .option('--wait', 'follow the run until it finishes; exit 0 Succeeded, 1 Failed, 2 timeout, 130 Ctrl-C')
    .option('--timeout <duration>', 'how long --wait waits', DEFAULT_WAIT_TIMEOUT);
}

export function registerWaitCommand(program: Command, io: CliIO): void {
  addKubeOptions(
    program
      .command('wait')
      .description('follow a run until it finishes, printing each change of phase and conditions')
      .argument('<kind>', `${KIND_HELP}, or kind/name`)
      .argument('[name]', 'the run')
      .option('--timeout <duration>', 'how long to wait', DEFAULT_WAIT_TIMEOUT),
  ).action(async (kindArg: string, nameArg: string | undefined, flags: KubeFlags & { timeout: string }) => {
    const ref = parseRef(kindArg, nameArg);
    const code = await withConnection(flags, (conn) =>
      waitForRun(conn, { ...ref, namespace: conn.namespace }, io, flags),
    );
    if (code !== 0) throw new CliExit(code);
  });
}
