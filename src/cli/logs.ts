// `orchestrator logs <kind> <name> [--attempt N] [-f] [--init] [--tail N] [--since D]`: the agent
// container's log of a run's pod, read through the apiserver (`GET …/pods/{pod}/log`), the way `kubectl logs` would once the pod is
// found (src/runs/log-target.ts finds it). With -f it follows: it waits for a pod that has not started, continues
// with the next attempt's pod when the run is retried (a separator line names the attempt), and
// outlives the apiserver going away (reconnecting, without printing a line twice). A pod that is gone
// is read from the log the operator kept of it (status.logs: src/runs/kept-log.ts). Design:
// docs/design.md §1.5.
import type { Command } from 'commander';
import { runFinished } from '../api/index.js';
import { keptInstead, keptWindow, type LogSource, locate, statusSays } from '../runs/index.js';
import { isNotFound, KubeClient, type KubeObject, PODS, resourcePath } from '../runtime/index.js';
import { parseDuration } from './duration.js';
import { followRounds } from './follow-rounds.js';
import { CliExit, type CliIO, fail } from './io.js';
import { KIND_HELP, parseRef, runPath } from './kinds.js';
import {
  addApiOptions,
  addKubeOptions,
  DEFAULT_REQUEST_TIMEOUT,
  type KubeFlags,
  withConnection,
} from './kube.js';
import { noKubeletMessage, podGone, transient, unreachableKubelet, waitingToStart } from './log-errors.js';

import { type LogWindow, WindowedLog } from './log-window.js';
import { apiLogs } from './logs-api.js';
import type { LogsOptions, LogsTarget } from './logs-options.js';
import { RestApiClient } from './rest-client.js';

export type { LogsOptions, LogsTarget } from './logs-options.js';

export type LogClient = Pick<KubeClient, 'request' | 'stream'>;

async function readRun(client: LogClient, target: LogsTarget, signal: AbortSignal): Promise<KubeObject> {
  try {
    return await client.request('GET', runPath(target.kind, target.namespace, target.name), { signal });
  } catch (err) {
    if (isNotFound(err))
      throw fail(
        `${target.kind.toLowerCase()} "${target.name}" not found in namespace "${target.namespace}"`,
      );
    throw err;
  }
}

/**
 * Prints the container's log; the first `progress.written` characters were printed before (a reconnect).
 * With a `window` (--tail, --since), the window's read and its timestamps decide what is printed instead.
 */
async function printLog(
  client: LogClient,
  namespace: string,
  source: LogSource,
  io: CliIO,
  progress: { written: number; window?: WindowedLog },
  opts: { follow: boolean; signal: AbortSignal; idleTimeoutMs?: number },
): Promise<void> {
  let seen = 0;
  const { window } = progress;
  const print = (chunk: string) => {
    const from = Math.max(0, progress.written - seen);
    seen += chunk.length;
    if (from < chunk.length) {
      io.out(chunk.slice(from));
      progress.written = seen;
    }
  };
  await client.stream(
    `${resourcePath(PODS, namespace, source.pod)}/log`,
    { container: source.container, ...(opts.follow ? { follow: true } : {}), ...window?.nextQuery() },
    window ? (chunk) => io.out(window.take(chunk)) : print,
    {
      signal: opts.signal,
      accept: '*/*',
      what: `the log of pod ${source.pod}`,
      ...(opts.idleTimeoutMs ? { idleTimeoutMs: opts.idleTimeoutMs } : {}),
    },
  );
  if (window) io.out(window.end());
}

/** The message for a log read that failed in a way the user should hear about; undefined: rethrow as is. */
function logFailure(err: unknown, source: LogSource): CliExit | undefined {
  const kubelet = unreachableKubelet(err);
  if (kubelet) return fail(noKubeletMessage(source.pod, kubelet));
  if (podGone(err)) return fail(`pod ${source.pod} (attempt ${source.attempt}) is gone`);
  if (waitingToStart(err))
    return fail(`${(err as Error).message.replace(/^.*?: HTTP 400 BadRequest: /, '')} (-f waits for it)`);
  return undefined;
}

/** Without -f: the log as it is now. */
async function showLog(client: LogClient, target: LogsTarget, io: CliIO, opts: LogsOptions): Promise<number> {
  const signal = new AbortController().signal;
  const run = await readRun(client, target, signal);
  const { source, none } = await locate(client, target.kind, run, opts);
  if (none) {
    const kept = await keptInstead(client, run, opts, none, signal);
    if (kept.text === undefined)
      throw fail(`${kept.none.message}${kept.none.wait ? ' (-f waits for it)' : ''}`);
    io.out(keptWindow(kept.text, opts.window ?? {}, new Date()));
    return 0;
  }
  try {
    await printLog(
      client,
      target.namespace,
      source,
      io,
      { written: 0, ...(opts.window ? { window: new WindowedLog(opts.window) } : {}) },
      {
        follow: false,
        signal,
        idleTimeoutMs: opts.idleTimeoutMs ?? 30_000,
      },
    );
  } catch (err) {
    throw logFailure(err, source) ?? err;
  }
  return 0;
}

/** With -f: follows the run's pods until the run (or the chosen attempt) ends; 130 on Ctrl-C. */
async function followLog(
  client: LogClient,
  target: LogsTarget,
  io: CliIO,
  opts: LogsOptions,
): Promise<number> {
  let shown = '';
  let completed = '';
  const progress: { written: number; window?: WindowedLog } = { written: 0 };
  let source: LogSource | undefined;
  return followRounds(
    io,
    opts.pollMs ?? 2000,
    async ({ signal, note, pause, progressed }) => {
      const run = await readRun(client, target, signal);
      const located = await locate(client, target.kind, run, opts);
      if (located.none) {
        if (!located.none.wait) {
          // A pod gone: its kept log, and nothing follows.
          const kept = await keptInstead(client, run, opts, located.none, signal);
          if (kept.text === undefined) throw fail(kept.none.message);
          // A pod gone while it was followed: its kept log may be cut or redacted where the live one
          // was not, so where it stopped is not known there; it is named, not printed twice.
          if (shown && source)
            io.out(
              `--- pod ${source.pod} is gone; its kept log: orchestrator logs ${target.kind.toLowerCase()} ${target.name} --attempt ${source.attempt}${opts.init ? ' --init' : ''} ---\n`,
            );
          else io.out(keptWindow(kept.text, opts.window ?? {}, new Date()));
          return 0;
        }
        note(`waiting: ${located.none.message}`);
        await pause();
        return undefined;
      }
      source = located.source;
      const key = `${source.podUid}/${source.container}`;
      if (key === completed) {
        if (opts.attempt !== undefined || runFinished(target.kind, run)) return 0;
        note(`waiting: attempt ${source.attempt} ended; ${statusSays(run)}`);
        await pause();
        return undefined;
      }
      if (key !== shown) {
        if (shown) io.out(`--- attempt ${source.attempt}: pod ${source.pod} (Job ${source.jobName}) ---\n`);
        // The window is the first pod's; a later attempt's log is shown whole (read by timestamps too).
        if (opts.window) progress.window = new WindowedLog(shown ? {} : opts.window);
        shown = key;
        progress.written = 0;
      }
      const before = progress.written;
      const printed = progress.window?.printed();
      await printLog(client, target.namespace, source, io, progress, { follow: true, signal });
      if (source.terminated) completed = key;
      // The apiserver ended a stream of a running container without news: do not spin on it.
      else if (progress.written === before && progress.window?.printed() === printed) await pause();
      progressed();
      return undefined;
    },
    (err) => {
      const kubelet = source && unreachableKubelet(err);
      if (source && kubelet) throw fail(noKubeletMessage(source.pod, kubelet));
      if (!transient(err)) throw err;
      return false;
    },
  );
}

/** Prints the logs of a run's pod; resolves to the exit code. */
export function runLogs(
  client: LogClient,
  target: LogsTarget,
  io: CliIO,
  opts: LogsOptions = {},
): Promise<number> {
  return opts.follow ? followLog(client, target, io, opts) : showLog(client, target, io, opts);
}

function parseTail(text: string): number {
  if (!/^\d+$/.test(text)) throw fail(`--tail: "${text}" is not a number of lines (0, 1, 2, …)`);
  return Number(text);
}

function parseAttempt(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1) throw fail(`--attempt: "${text}" is not an attempt number (1, 2, …)`);
  return n;
}

export function registerLogsCommand(program: Command, io: CliIO): void {
  addApiOptions(
    addKubeOptions(
      program
        .command('logs')
        .description("print the agent container's log of a run's pod (-f: follow it, across retries)")
        .argument('<kind>', `${KIND_HELP}, or kind/name`)
        .argument('[name]', 'the run')
        .option(
          '--attempt <n>',
          "a former attempt's pod (its Job must still exist); default: the current attempt",
          parseAttempt,
        )
        .option(
          '-f, --follow',
          'follow the log; wait for the pod to start, continue with the next attempt when the run is retried',
        )
        .option('--init', 'the init container (prepare-workspace) instead of the agent')
        .option('--tail <lines>', 'only the last lines of the log (with -f: then what comes)', parseTail)
        .option('--since <duration>', 'only the lines of the last 30s, 5m, 1h… (with -f: then what comes)'),
    ),
  ).action(
    async (
      kindArg: string,
      nameArg: string | undefined,
      flags: KubeFlags & {
        attempt?: number;
        follow?: boolean;
        init?: boolean;
        tail?: number;
        since?: string;
      },
    ) => {
      const ref = parseRef(kindArg, nameArg);
      const window: LogWindow = {
        ...(flags.tail !== undefined ? { tailLines: flags.tail } : {}),
        ...(flags.since ? { sinceSeconds: Math.ceil(parseDuration(flags.since, '--since') / 1000) } : {}),
      };
      const idleTimeoutMs = parseDuration(
        flags.requestTimeout ?? DEFAULT_REQUEST_TIMEOUT,
        '--request-timeout',
      );
      const code = await withConnection(flags, (conn) => {
        const target = { ...ref, namespace: conn.namespace };
        const opts = { ...flags, idleTimeoutMs, ...(Object.keys(window).length ? { window } : {}) };
        if (conn.client instanceof RestApiClient) return apiLogs(conn.client, target, io, opts);
        if (!(conn.client instanceof KubeClient))
          throw fail('logs reads pods: it needs a cluster connection');
        return runLogs(conn.client, target, io, opts);
      });
      if (code !== 0) throw new CliExit(code);
    },
  );
}
