// Watches of runs as server-sent events (docs/rest-api.md "Watching runs"): `?watch=true` on a list or
// a run's path streams its changes as the apiserver's watch gives them, one event per change (`id` the
// object's resourceVersion, `event` the change, `data` the run), so a browser's EventSource follows a
// run and resumes where it left (Last-Event-ID) when the stream ends. Each stream is one apiserver
// watch made as the manager, after RBAC allowed the caller `watch`; it ends after `timeoutSeconds`, when
// its caller leaves, or when its caller reads too slowly, and holds a StreamSlots slot while open.
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import type { KubeClient, Query, WatchEvent } from '../runtime/index.js';
import { showValue } from '../validation/index.js';
import { LIST_PARAMETERS } from './runs.js';
import { failure, statusError, toStatus } from './status.js';
import type { StreamSlots } from './stream-slots.js';

export type RunWatcher = Pick<KubeClient, 'watch'>;

export interface WatchLimits {
  slots: StreamSlots;
  /** A comment line this often, so that proxies keep an idle stream open. */
  heartbeatMs: number;
  /** How long one stream lasts (the apiserver's timeoutSeconds); the client then resumes. */
  timeoutSeconds: number;
  /** The limit on the apiserver's accepting the watch. */
  connectTimeoutMs: number;
  /** Bytes written but not yet read by the caller past which the stream is ended. */
  maxBufferedBytes: number;
}

export const isWatch = (query: Record<string, unknown>): boolean =>
  query.watch === 'true' || query.watch === '1';

/** The resourceVersion to start from: `?resourceVersion=`, else the EventSource's Last-Event-ID. */
function startVersion(ctx: Context): string | undefined {
  const given = typeof ctx.query.resourceVersion === 'string' ? ctx.query.resourceVersion : undefined;
  const version = given ?? (ctx.get('Last-Event-ID') || undefined);
  if (version !== undefined && !/^[0-9]{1,20}$/.test(version))
    throw statusError(
      400,
      `resourceVersion: ${showValue(version)} is not a resourceVersion this API returned`,
    );
  return version;
}

function watchQuery(ctx: Context, name: string | undefined, timeoutSeconds: number): Query {
  const query: Query = { timeoutSeconds };
  for (const key of LIST_PARAMETERS)
    if (key !== 'limit' && key !== 'continue' && typeof ctx.query[key] === 'string')
      query[key] = ctx.query[key] as string;
  // One run: the apiserver's way to watch one object.
  if (name !== undefined) query.fieldSelector = `metadata.name=${name}`;
  const version = startVersion(ctx);
  if (version !== undefined) query.resourceVersion = version;
  return query;
}

const event = (type: string, data: unknown, id?: string) =>
  `${id ? `id: ${id}\n` : ''}event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * Streams the changes of the runs under `path` (a list path of the apiserver) to the caller. Errors
 * before the stream opens (a stale resourceVersion, an apiserver away) are answered as a Status.
 */
export async function serveWatch(
  ctx: Context,
  watcher: RunWatcher,
  limits: WatchLimits,
  path: string,
  name: string | undefined,
  user: string,
): Promise<void> {
  const query = watchQuery(ctx, name, limits.timeoutSeconds);
  const release = limits.slots.take(user);
  const abort = new AbortController();
  const body = new PassThrough();
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const write = (text: string) => {
    if (body.writableEnded) return;
    if (body.writableLength > limits.maxBufferedBytes) {
      body.end(event('error', failure(410, 'the stream ended: its caller read too slowly; resume it')));
      abort.abort(new Error('slow reader'));
      return;
    }
    body.write(text);
  };
  const onEvent = ({ type, object }: WatchEvent) => {
    if (type === 'BOOKMARK') return;
    if (type === 'ERROR') {
      write(event('error', object));
      body.end();
      return;
    }
    write(event(type, object, object.metadata?.resourceVersion));
  };
  const watching = watcher.watch(path, query, onEvent, {
    signal: abort.signal,
    connectTimeoutMs: limits.connectTimeoutMs,
    onOpen: () => opened(),
  });
  try {
    await Promise.race([open, watching]);
  } catch (err) {
    release();
    throw err;
  }
  const heartbeat = setInterval(() => write(': keep-alive\n\n'), limits.heartbeatMs);
  const done = () => {
    clearInterval(heartbeat);
    release();
    abort.abort(new Error('the stream ended'));
    if (!body.writableEnded) body.end();
  };
  ctx.req.once('close', done);
  ctx.res.once('close', done);
  watching.then(done, (err: unknown) => {
    if (!abort.signal.aborted) write(event('error', toStatus(err)));
    done();
  });
  ctx.status = 200;
  ctx.type = 'text/event-stream';
  ctx.set('Cache-Control', 'no-store');
  // nginx and its ingress buffer answers unless told not to: events would arrive in bursts.
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = body;
  body.write(': watching\n\n');
}
