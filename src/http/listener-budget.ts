// A listener's budget (docs/security.md "Listener budgets"): how many requests it serves at once and
// how many bytes their bodies (and what parsing them will allocate) may hold, so that no number of
// unauthenticated requests can grow the process past its memory limit. Decided from the headers alone,
// before a byte of the body is read: a target not in origin form 400 (request-target.ts), past a
// per-address rate 429, past a client's share of requests in flight 429 (client-caps.ts), past the
// concurrency or the bytes 503,
// both with Retry-After; a body declared larger than one request may send 413 (a body of unknown length
// reserves that limit). A refused request's connection is closed,
// so its unread body is never drained into memory. A request let in holds a Ticket until its response
// ends (or its connection goes); the handler may grow it (ticketOf) for what parsing will cost, and
// the body is read no further than the ticket reserved (json-body.ts), whatever the route that reads it.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { type ClientCap, ClientCaps } from './client-caps.js';
import { originFormPath } from './request-target.js';
import type { TokenBuckets } from './token-buckets.js';

/** A listener's limits as the controller config states them (e.g. `webhook.limits`). */
export interface ListenerLimits {
  maxConcurrentRequests: number;
  maxBytesInFlight: number;
}

export interface ListenerBudgetOptions {
  /** For answers: `webhook`, `api`, `github`, `metrics`. */
  name: string;
  /** Requests served at once. */
  maxConcurrent: number;
  /** Bytes held at once by the bodies of requests being served, with their parsing costs. */
  maxBytesInFlight: number;
  /** The largest body one request may send (413 above it); 0: no body at all. */
  maxBodyBytes: number;
  /** A token bucket per client address, taken before anything else. Default none. */
  perAddress?: TokenBuckets;
  /** What one client (an address, a credential) may hold of `maxConcurrent`. Default no cap. */
  perClient?: readonly ClientCap[];
  /** What a refusal tells the client to wait. Default 1 s. */
  retryAfterSeconds?: number;
}

/** What one admitted request holds of the budget; released once, when its response ends. */
export interface Ticket {
  /**
   * Reserves `bytes` more (e.g. a body's parsing cost): `ok`; `busy` when they do not fit now (nothing
   * reserved), `never` when they exceed the whole budget.
   */
  grow(bytes: number): 'ok' | 'busy' | 'never';
  /**
   * The body bytes reserved when the request was let in (its Content-Length, or for a body of unknown
   * length the listener's limit): no reader takes more.
   */
  readonly bodyBytes: number;
  /** The listener's name and what a refusal tells the client to wait. */
  readonly listener: string;
  readonly retryAfterSeconds: number;
}

const tickets = new WeakMap<IncomingMessage, Ticket>();

/** The ticket of a request a budget let in; undefined when no budget guards its listener. */
export const ticketOf = (req: IncomingMessage): Ticket | undefined => tickets.get(req);

type Refusal = { status: number; message: string; retryAfterSeconds?: number };

export class ListenerBudget {
  private requests = 0;
  private bytes = 0;
  private readonly clients: ClientCaps;

  constructor(readonly opts: ListenerBudgetOptions) {
    this.clients = new ClientCaps(opts.perClient ?? []);
  }

  /** Requests and bytes held now (tests, metrics). */
  get inFlight(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  /**
   * Lets `req` in (a ticket, released when `res` closes) or answers it with the refusal and closes its
   * connection (undefined).
   */
  admit(req: IncomingMessage, res: ServerResponse): Ticket | undefined {
    const decision = this.decide(req);
    if ('status' in decision) {
      refuse(res, this.opts.name, decision);
      return undefined;
    }
    this.requests++;
    this.bytes += decision.bytes;
    let held = decision.bytes;
    let released = false;
    const giveBack = this.clients.take(req);
    const ticket: Ticket = {
      listener: this.opts.name,
      bodyBytes: decision.bytes,
      retryAfterSeconds: this.opts.retryAfterSeconds ?? 1,
      grow: (more) => {
        if (held + more > this.opts.maxBytesInFlight) return 'never';
        if (released || this.bytes + more > this.opts.maxBytesInFlight) return 'busy';
        this.bytes += more;
        held += more;
        return 'ok';
      },
    };
    // Released once the handler ended the response ('prefinish'), or its connection went ('close').
    // Not at 'close' alone: over TLS a response's write completes in the next check phase, so every
    // request read in one poll phase counted as in flight; a burst past the limit on kept-alive
    // connections (a loaded machine's late timers) was refused 503 and its connections closed.
    const release = () => {
      if (released) return;
      released = true;
      giveBack();
      this.requests--;
      this.bytes -= held;
    };
    res.once('prefinish', release);
    res.once('close', release);
    tickets.set(req, ticket);
    return ticket;
  }

  /** `handler` behind this budget. */
  guard(handler: RequestListener): RequestListener {
    return (req, res) => {
      if (this.admit(req, res)) handler(req, res);
    };
  }

  private decide(req: IncomingMessage): { bytes: number } | Refusal {
    const { opts } = this;
    const retryAfterSeconds = opts.retryAfterSeconds ?? 1;
    // The route and a path's budget are chosen from this path: a target read otherwise is refused.
    if (originFormPath(req.url) === undefined)
      return {
        status: 400,
        message: `the request target must be a path (origin form, printable ASCII, no fragment): ${JSON.stringify((req.url ?? '').slice(0, 64))}`,
      };
    if (opts.perAddress) {
      const take = opts.perAddress.take(req.socket.remoteAddress ?? 'unknown');
      if (!take.allowed)
        return {
          status: 429,
          message: `too many requests from this address: retry in ${take.retryAfterSeconds} s`,
          retryAfterSeconds: take.retryAfterSeconds,
        };
    }
    const capped = this.clients.full(req);
    if (capped)
      return {
        status: 429,
        message: `this ${capped.what} has ${capped.maxInFlight} requests in flight at the ${opts.name} server, its limit: retry when one ends`,
        retryAfterSeconds,
      };
    if (this.requests >= opts.maxConcurrent)
      return {
        status: 503,
        message: `the ${opts.name} server is serving its limit of ${opts.maxConcurrent} requests at once`,
        retryAfterSeconds,
      };
    const bytes = bodyBytes(req, opts);
    if (typeof bytes !== 'number') return bytes;
    if (this.bytes + bytes > opts.maxBytesInFlight)
      return {
        status: 503,
        message: `the ${opts.name} server holds its limit of ${opts.maxBytesInFlight} body bytes at once`,
        retryAfterSeconds,
      };
    return { bytes };
  }
}

/** What the body will hold: its stated length, or for a body of unknown length the limit. */
function bodyBytes(req: IncomingMessage, opts: ListenerBudgetOptions): number | Refusal {
  const declared = req.headers['content-length'];
  const chunked = req.headers['transfer-encoding'] !== undefined;
  if (declared === undefined && !chunked) return 0;
  if (declared === undefined) {
    if (opts.maxBodyBytes === 0)
      return { status: 413, message: `the ${opts.name} server takes no request body` };
    return opts.maxBodyBytes;
  }
  // Node refuses a malformed or repeated Content-Length before the request gets here.
  const length = Number(declared);
  if (length > opts.maxBodyBytes)
    return {
      status: 413,
      message: `body of ${length} bytes exceeds the ${opts.name} server's limit of ${opts.maxBodyBytes}`,
    };
  return length;
}

function refuse(res: ServerResponse, name: string, r: Refusal): void {
  const body = JSON.stringify({ error: r.message, listener: name });
  res.writeHead(r.status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    // The body is never read: a kept-alive connection would have to drain it first.
    Connection: 'close',
    ...(r.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(r.retryAfterSeconds) }),
  });
  res.end(body);
}
