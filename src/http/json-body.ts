import type { IncomingMessage } from 'node:http';
import { jsonParseCost } from './json-cost.js';
import { ticketOf } from './listener-budget.js';

/** An HTTP error whose status and message are safe to show the client. */
export class HttpError extends Error {
  override name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    /** For 429 and 503: the Retry-After to send. */
    readonly retryAfterSeconds?: number,
    /** The answer closes the connection: the client's unread body is not waited for. */
    readonly closeConnection = false,
  ) {
    super(message);
  }
}

export interface JsonBodyOptions {
  /** Largest accepted body. Callers choose; the webhook uses 3 MiB (an AdmissionReview of a 1 MiB object fits). */
  limitBytes: number;
  /** How long a client may take to send the body. */
  timeoutMs: number;
  /**
   * The slowest a body may arrive once `graceMs` have passed (bytes per second, counted from the
   * start): a client trickling its body, or sending none, gives its slot back in seconds, not at
   * `timeoutMs`. Default none.
   */
  floor?: BodyFloor;
  /** Sees each chunk as it arrives (e.g. to hash the body while it streams). */
  onChunk?: (chunk: Buffer) => void;
}

/** A body's slowest rate: `bytesPerSecond` on average, after `graceMs`. */
export interface BodyFloor {
  bytesPerSecond: number;
  graceMs: number;
}

/** How often a body's rate is held to its floor. */
const FLOOR_CHECK_MS = 500;

/**
 * Reads and parses a JSON request body: 415 for another content type, then as readBody, then 400 for
 * invalid JSON.
 */
export async function readJsonBody(req: IncomingMessage, opts: JsonBodyOptions): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/json')
    throw new HttpError(415, `content type must be application/json, not ${JSON.stringify(type)}`);
  const body = await readBody(req, opts);
  reserveParse(req, body);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw new HttpError(400, `invalid JSON: ${(err as Error).message}`);
  }
}

/**
 * Reserves what parsing `body` will allocate from the budget of the request's listener (if one guards
 * it): 413 when it could never fit, 503 with Retry-After when it does not fit now.
 */
export function reserveParse(req: IncomingMessage, body: Uint8Array): void {
  const ticket = ticketOf(req);
  if (!ticket) return;
  const cost = jsonParseCost(body);
  const granted = ticket.grow(cost);
  if (granted === 'never')
    throw new HttpError(
      413,
      `parsing this body would take about ${cost} bytes, more than the ${ticket.listener} server allows a request`,
    );
  if (granted === 'busy')
    throw new HttpError(
      503,
      `the ${ticket.listener} server is parsing its limit of bytes at once: retry in ${ticket.retryAfterSeconds} s`,
      ticket.retryAfterSeconds,
    );
}

/**
 * Reads a request body as sent: 413 past the limit (decided from Content-Length at once, else counted
 * while streaming, never buffering past it), 408 when the client stalls or falls below the floor; a
 * body below its floor is refused with closeConnection (its answer should say `connection: close`). The
 * limit is also what the request's ticket reserved (listener-budget.ts), if a budget let it in: a route
 * reads no more than its request holds of the budget, whichever budget that was.
 */
export async function readBody(req: IncomingMessage, opts: JsonBodyOptions): Promise<Buffer> {
  const limit = Math.min(opts.limitBytes, ticketOf(req)?.bodyBytes ?? Number.POSITIVE_INFINITY);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpError(413, `body of ${declared} bytes exceeds the limit of ${limit}`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => fail(new HttpError(408, `body not received within ${opts.timeoutMs} ms`)),
      opts.timeoutMs,
    );
    const started = Date.now();
    const slow = opts.floor && floorWatch(opts.floor, started, () => size, fail);
    function fail(err: Error) {
      clearTimeout(timer);
      if (slow) clearInterval(slow);
      req.removeAllListeners('data');
      // Keep reading (and dropping) so the response can still be written on this connection.
      req.resume();
      reject(err);
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) return fail(new HttpError(413, `body exceeds the limit of ${limit} bytes`));
      opts.onChunk?.(chunk);
      chunks.push(chunk);
    });
    req.once('end', () => {
      clearTimeout(timer);
      if (slow) clearInterval(slow);
      resolve();
    });
    req.once('error', (err) => fail(new HttpError(400, `reading the body failed: ${err.message}`)));
  });
  // A review often arrives in one chunk (a TLS record holds 16 KiB): no copy then.
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size);
}

/** Fails the read once the bytes received fall below `floor` for the time since `started`. */
function floorWatch(
  floor: BodyFloor,
  started: number,
  received: () => number,
  fail: (err: Error) => void,
): NodeJS.Timeout {
  const timer = setInterval(() => {
    const late = Date.now() - started - floor.graceMs;
    if (late <= 0 || received() >= (floor.bytesPerSecond * late) / 1000) return;
    fail(
      new HttpError(
        408,
        `body arrived slower than ${floor.bytesPerSecond} bytes per second after ${floor.graceMs} ms (${received()} bytes in ${Date.now() - started} ms)`,
        undefined,
        true,
      ),
    );
  }, FLOOR_CHECK_MS);
  timer.unref();
  return timer;
}
