// `orchestrator logs … --api-url`: a run's log through the REST API (`GET …/{name}/log`, docs/rest-api.md
// "Logs"), which finds the attempt's pod itself, as the caller may not list pods. Without -f, the log
// as it is; with -f, the current attempt's log as it grows, then each next attempt's after a separator
// line, until the run (or the --attempt asked for) has ended. A stream the API or the apiserver broke
// off is opened again and what was printed is not printed twice (the API's farewell line goes to
// standard error).
import { finalPhase, type RunKindName, runFinished } from '../api/index.js';

import { LOG_FAREWELL, statusSays } from '../runs/index.js';
import { ApiError, type KubeObject, type Query } from '../runtime/index.js';
import { followRounds } from './follow-rounds.js';
import { type CliIO, fail } from './io.js';
import { runPath } from './kinds.js';
import type { LogWindow } from './log-window.js';
import type { LogsOptions, LogsTarget } from './logs-options.js';
import { runStatus } from './progress.js';
import type { RestApiClient } from './rest-client.js';

/** The API's own words from an ApiError's message (`GET …: HTTP 503 ServiceUnavailable: <words>`). */
const said = (err: ApiError) => err.message.replace(/^.*?: HTTP \d+ ?\w*: /, '');

function logQuery(opts: LogsOptions, attempt: number | undefined, follow: boolean): Query {
  const query: Query = { container: opts.init ? 'prepare' : 'agent' };
  if (attempt !== undefined) query.attempt = attempt;
  if (follow) query.follow = true;
  if (opts.window?.tailLines !== undefined) query.tailLines = opts.window.tailLines;
  if (opts.window?.sinceSeconds !== undefined) query.sinceSeconds = opts.window.sinceSeconds;
  return query;
}

/** Without -f: the log as the API gives it now. */
async function showLog(client: RestApiClient, target: LogsTarget, io: CliIO, opts: LogsOptions) {
  const path = `${runPath(target.kind, target.namespace, target.name)}/log`;
  try {
    await client.stream(path, logQuery(opts, opts.attempt, false), (chunk) => io.out(chunk), {
      signal: new AbortController().signal,
      accept: '*/*',
      idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
    });
  } catch (err) {
    if (err instanceof ApiError && err.status === 503) throw fail(`${said(err)} (-f waits for it)`);
    if (err instanceof ApiError && (err.status === 404 || err.status === 403)) throw fail(said(err));
    throw err;
  }
  return 0;
}

/** Prints a stream's chunks past the first `skip` characters; the API's farewell goes to stderr. */
function printer(io: CliIO, skip: number) {
  let seen = 0;
  let farewell = '';
  return {
    take(chunk: string) {
      if (farewell) {
        farewell += chunk;
        return;
      }
      const at = chunk.indexOf(LOG_FAREWELL);
      const text = at >= 0 ? chunk.slice(0, at) : chunk;
      if (at >= 0) farewell = chunk.slice(at + 1);
      const from = Math.max(0, skip - seen);
      seen += text.length;
      if (from < text.length) io.out(text.slice(from));
    },
    /** Characters of the log seen so far (printed now or before). */
    seen: () => Math.max(seen, skip),
    farewell: () => farewell.trim(),
  };
}

interface Following {
  /** The attempt whose log is printed. */
  attempt: number;
  /** Characters of its log printed (by position: the streams that asked for no window). */
  written: number;
  /** The window (--tail, --since) of its first stream: the first attempt shown's; later ones' are whole. */
  window: LogWindow;
  /** When its log last gave something (ms). */
  lastDataAt: number;
}

/** What a stream of the attempt asks for, and how much of it was printed before. */
function reopening(opts: LogsOptions, following: Following): { query: Query; skip: number } {
  const { attempt, written, window, lastDataAt } = following;
  const windowed = Object.keys(window).length > 0;
  if (written === 0) return { query: logQuery({ ...opts, window }, attempt, true), skip: 0 };
  if (!windowed) return { query: logQuery({ ...opts, window: {} }, attempt, true), skip: written };
  // A window's positions are not the log's: again from a little before the last line printed.
  const sinceSeconds = Math.ceil((Date.now() - lastDataAt) / 1000) + 1;
  return { query: logQuery({ ...opts, window: { sinceSeconds } }, attempt, true), skip: 0 };
}

/**
 * Streams the attempt's log until it ends: true when it ended as the container did, false when the API
 * broke it off (its farewell, said on stderr), so that it is opened again where it stopped.
 */
async function followAttempt(
  client: RestApiClient,
  target: LogsTarget,
  io: CliIO,
  opts: LogsOptions,
  following: Following,
  signal: AbortSignal,
): Promise<boolean> {
  const path = `${runPath(target.kind, target.namespace, target.name)}/log`;
  const { query, skip } = reopening(opts, following);
  const windowed = Object.keys(following.window).length > 0;
  if (following.written > 0 && windowed)
    io.err(`the lines of the last ${query.sinceSeconds} s may be printed again\n`);
  const print = printer(io, skip);
  const take = (chunk: string) => {
    following.lastDataAt = Date.now();
    print.take(chunk);
  };
  try {
    await client.stream(path, query, take, { signal, accept: '*/*' });
  } finally {
    following.written = windowed ? following.written + print.seen() : print.seen();
  }
  const farewell = print.farewell();
  if (farewell) io.err(`${farewell.replace(/^\[|\]$/g, '')}; opening it again\n`);
  return !farewell;
}

/** With -f: follows the run's attempts until the run (or --attempt's) has ended; 130 on Ctrl-C. */
function followLog(client: RestApiClient, target: LogsTarget, io: CliIO, opts: LogsOptions) {
  let following: Following | undefined;
  let completed: number | undefined;
  return followRounds(
    io,
    opts.pollMs ?? 2000,
    async ({ signal, note, pause, progressed }) => {
      const run = await client.request<KubeObject>(
        'GET',
        runPath(target.kind, target.namespace, target.name),
        {
          signal,
        },
      );
      const current = opts.attempt ?? runStatus(run).attempt;
      const ended = opts.attempt !== undefined || runFinished(target.kind, run);
      // A run failed before any attempt (a dependency that failed) will have none.
      if (current === undefined && (ended || finalPhase(runStatus(run).phase)))
        throw fail(`no attempt to show: ${statusSays(run)}`);
      if (current === undefined || current === completed) {
        if (ended) return 0;
        note(
          `waiting: ${current === undefined ? 'no attempt yet' : `attempt ${current} ended`}; ${statusSays(run)}`,
        );
        await pause();
        return undefined;
      }
      if (following?.attempt !== current) {
        if (following) io.out(`--- attempt ${current} ---\n`);
        const window = (!following && opts.window) || {};
        following = { attempt: current, written: 0, window, lastDataAt: Date.now() };
      }
      if (await followAttempt(client, target, io, opts, following, signal)) completed = current;
      progressed();
      return undefined;
    },
    async (err, { note, pause }) => {
      if (err instanceof ApiError && err.status === 503) {
        note(`waiting: ${said(err)}`);
        await pause();
        return true;
      }
      if (err instanceof ApiError && err.status < 500 && err.status !== 429) throw fail(said(err));
      return false;
    },
  );
}

/** Prints a run's log through the REST API; resolves to the exit code. */
export function apiLogs(
  client: RestApiClient,
  target: LogsTarget & { kind: RunKindName },
  io: CliIO,
  opts: LogsOptions = {},
): Promise<number> {
  return opts.follow ? followLog(client, target, io, opts) : showLog(client, target, io, opts);
}
