// An answer streamed from an apiserver stream (a watch, a pod's log): the upstream is opened first, so
// that its refusal (a stale resourceVersion, a pod that is gone, an apiserver away) is answered as a
// Status; then its data is passed on as it comes, until it ends, the caller leaves, or the caller reads
// so slowly that more than `maxBufferedBytes` wait for it (the stream is then ended, saying why).
import { PassThrough } from 'node:stream';
import type { Context } from 'koa';
import { statusError } from './status.js';

export interface StreamAnswer {
  contentType: string;
  maxBufferedBytes: number;
  /** Gives the stream's slot back (StreamSlots), once, when it ends however it ends. */
  release: () => void;
  /** Written this often while the stream is open, so that proxies keep a quiet stream open. */
  heartbeat?: { everyMs: number; text: string };
  /** The last words of a stream the upstream ended with an error, or that its caller read too slowly. */
  farewell: (why: unknown) => string;
}

/** Opens the upstream with `start` (its data given to `write`) and answers with what it sends. */
export async function answerStream(
  ctx: Context,
  opts: StreamAnswer,
  start: (write: (text: string) => void, signal: AbortSignal, onOpen: () => void) => Promise<void>,
): Promise<void> {
  const abort = new AbortController();
  const body = new PassThrough();
  const write = (text: string) => {
    if (body.writableEnded) return;
    if (body.writableLength > opts.maxBufferedBytes) {
      body.end(opts.farewell(statusError(410, 'the stream ended: its caller read too slowly; resume it')));
      abort.abort(new Error('slow reader'));
      return;
    }
    body.write(text);
  };
  let opened: () => void = () => {};
  const open = new Promise<void>((resolve) => {
    opened = resolve;
  });
  const upstream = start(write, abort.signal, () => opened());
  try {
    await Promise.race([open, upstream]);
  } catch (err) {
    opts.release();
    throw err;
  }
  const heartbeat = opts.heartbeat;
  const timer = heartbeat ? setInterval(() => write(heartbeat.text), heartbeat.everyMs) : undefined;
  const done = () => {
    clearInterval(timer);
    opts.release();
    abort.abort(new Error('the stream ended'));
    if (!body.writableEnded) body.end();
  };
  ctx.req.once('close', done);
  ctx.res.once('close', done);
  upstream.then(done, (err: unknown) => {
    if (!abort.signal.aborted) write(opts.farewell(err));
    done();
  });
  ctx.status = 200;
  ctx.type = opts.contentType;
  ctx.set('Cache-Control', 'no-store');
  // nginx and its ingress buffer answers unless told not to: the stream would arrive in bursts.
  ctx.set('X-Accel-Buffering', 'no');
  ctx.body = body;
}
