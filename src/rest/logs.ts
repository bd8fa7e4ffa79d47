// A run's log over the REST API (docs/rest-api.md "Logs"): `GET …/{name}/log` finds the attempt's pod
// as `orchestrator logs` does (src/runs/log-target.ts) and passes on its container's log as the
// apiserver gives it, read as the manager once RBAC allowed the caller `get` on the run and on
// `pods/log` in its namespace. `follow=true` holds a stream slot as a watch does. Once the pod is gone,
// the attempt's kept log (status.logs, src/runs/kept-log.ts) is the answer, whole: nothing follows.
import type { Context } from 'koa';
import type { RunKindName } from '../api/index.js';
import { keptInstead, keptWindow, locate, logFarewell } from '../runs/index.js';
import { type ApiRequester, type KubeClient, PODS, type Query, resourcePath } from '../runtime/index.js';
import { showValue } from '../validation/index.js';

import { type CallLimit, getRun } from './runs.js';
import { statusError, toStatus } from './status.js';
import { answerStream } from './stream-answer.js';
import type { WatchLimits } from './watch.js';

export type LogStreamer = Pick<KubeClient, 'stream'>;

/** The most of a log one answer gives without `limitBytes` (kubectl's logs have no such bound; a browser does). */
export const DEFAULT_LOG_LIMIT_BYTES = 16 * 1024 * 1024;

export interface LogQuery {
  attempt?: number;
  /** The prepare container (init) instead of the agent's. */
  prepare: boolean;
  follow: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  limitBytes: number;
}

function count(query: Record<string, unknown>, name: string, min: number): number | undefined {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9]{1,10}$/.test(value) || Number(value) < min)
    throw statusError(400, `${name}: ${showValue(value)} is not a whole number of at least ${min}`);
  return Number(value);
}

/** The log's parameters, each refused with its name and rule when malformed. */
export function logQuery(query: Record<string, unknown>): LogQuery {
  const container = query.container ?? 'agent';
  if (container !== 'agent' && container !== 'prepare')
    throw statusError(400, `container: ${showValue(container)} is neither agent nor prepare`);
  const follow = query.follow ?? 'false';
  if (follow !== 'true' && follow !== 'false')
    throw statusError(400, `follow: ${showValue(follow)} is neither true nor false`);
  const attempt = count(query, 'attempt', 1);
  const tailLines = count(query, 'tailLines', 0);
  const sinceSeconds = count(query, 'sinceSeconds', 1);
  const limitBytes = Math.min(
    count(query, 'limitBytes', 1) ?? DEFAULT_LOG_LIMIT_BYTES,
    DEFAULT_LOG_LIMIT_BYTES,
  );
  return {
    ...(attempt === undefined ? {} : { attempt }),
    prepare: container === 'prepare',
    follow: follow === 'true',
    ...(tailLines === undefined ? {} : { tailLines }),
    ...(sinceSeconds === undefined ? {} : { sinceSeconds }),
    limitBytes,
  };
}

/** A kept log (its pod gone: docs/logs.md), cut to the query's window as the kubelet would. */
function answerKept(ctx: Context, text: string, query: LogQuery): void {
  ctx.type = 'text/plain; charset=utf-8';
  ctx.body = keptWindow(text, query, new Date());
}

export interface LogAccess {
  client: ApiRequester;
  streamer: LogStreamer;
  limits: WatchLimits;
  limit: CallLimit;
}

/** Streams the log of the run's attempt; 404 when it is gone, 503 (Retry-After) when it has not started. */
export async function serveLog(
  ctx: Context,
  access: LogAccess,
  kind: RunKindName,
  namespace: string,
  name: string,
  user: string,
): Promise<void> {
  const query = logQuery(ctx.query);
  const run = await getRun(access, kind, namespace, name, access.limit);
  const found = await locate(access.client, kind, run, {
    ...(query.attempt === undefined ? {} : { attempt: query.attempt }),
    init: query.prepare,
  });
  if (found.none) {
    const opts = { ...(query.attempt === undefined ? {} : { attempt: query.attempt }), init: query.prepare };
    const kept = await keptInstead(access.client, run, opts, found.none);
    if (kept.text !== undefined) return answerKept(ctx, kept.text, query);
    throw kept.none.wait
      ? statusError(503, kept.none.message, { retryAfterSeconds: 2 })
      : statusError(404, kept.none.message);
  }
  const { pod, container } = found.source;
  const params: Query = { container, limitBytes: query.limitBytes };
  if (query.follow) params.follow = true;
  if (query.tailLines !== undefined) params.tailLines = query.tailLines;
  if (query.sinceSeconds !== undefined) params.sinceSeconds = query.sinceSeconds;
  await answerStream(
    ctx,
    {
      contentType: 'text/plain; charset=utf-8',
      maxBufferedBytes: access.limits.maxBufferedBytes,
      release: query.follow ? access.limits.slots.take(user) : () => {},
      farewell: (why) => logFarewell(toStatus(why).message),
    },
    (write, signal, onOpen) =>
      access.streamer.stream(`${resourcePath(PODS, namespace, pod)}/log`, params, write, {
        signal,
        // As kubectl asks: the log endpoint refuses text/plain (406), though it answers text.
        accept: '*/*',
        connectTimeoutMs: access.limit.timeoutMs,
        onOpen,
      }),
  );
}
