// The gateway's request handler (docs/economics.md "The model gateway"): a route of the provider, the
// attempt's token checked before the body is read, the body read within its bound, a metered call
// checked against the attempt's limits and priced before it is forwarded, the answer passed through as
// it arrives while its usage is read, and what it used recorded once, however the call ended: a call
// that may have reached the provider and ends without its final usage is billed its reservation
// (reservation.ts).
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { type BodyFloor, HttpError, readBody } from '../http/index.js';
import { callBody } from './call-body.js';
import type { InFlight } from './in-flight.js';
import type { InputBound } from './input-bound.js';
import { type ModelPrice, type PriceTable, priceEntry } from './prices.js';
import {
  type CallRequest,
  findRoute,
  type GatewayError,
  type Provider,
  type UsageReader,
} from './provider.js';
import { reservedTokens, unfinishedTokens } from './reservation.js';
import type { CallTokens } from './tokens.js';
import { callUpstream, UpstreamError, upstreamUrl } from './upstream.js';

/** The attempt a token was minted for (attempt-token.ts). */
export interface GatewayAttempt {
  namespace: string;
  kind: string;
  run: string;
  /** The run object's uid: a run deleted and made again under its name is another run. */
  uid: string;
  attempt: number;
  job: string;
}

export interface Authenticator {
  /** The attempt `token` belongs to while that attempt's Job runs; undefined otherwise. */
  authenticate(token: string): Promise<GatewayAttempt | undefined>;
}

/** A metered call about to go upstream, priced. */
export interface PricedCall extends CallRequest {
  /** The price table's entry the call is priced as. */
  priced: string;
  price: ModelPrice;
  /** The most its input can be billed for (input-bound.ts). */
  input: InputBound;
}

export type Admission =
  /** `release`: ends the call's reservation against its limits, once its cost is in the ledger or it failed. */
  { allowed: true; maxTokens?: number; release?: () => void } | { allowed: false; message: string };

/** One metered call's usage, as the ledger records it. */
export interface MeteredCall {
  provider: string;
  model: string;
  priced: string;
  tokens: CallTokens;
  costMicros: number;
  /**
   * The call ended without its provider's final usage (client gone, timeout, upstream cut, no usage
   * stated): the figure is its reservation, or what was seen when that cost more (reservation.ts).
   */
  cut: boolean;
}

/** The limits and the ledger, as the handler uses them (spend-gate.ts). */
export interface SpendGate {
  /** Whether the call may go, and the output cap that keeps it within what is left. */
  admit(attempt: GatewayAttempt, call: PricedCall): Promise<Admission>;
  record(attempt: GatewayAttempt, call: MeteredCall): Promise<void>;
}

export interface UpstreamSettings {
  /** The provider's base URL. */
  url: string;
  /** Every call's limit, from sending it to the answer's last byte. */
  timeoutMs: number;
}

export interface GatewayHandlerOptions {
  provider: Provider;
  upstream: () => UpstreamSettings;
  /** The platform's key, read by the manager alone; undefined: none configured (calls are answered 502). */
  key: () => Promise<string | undefined>;
  prices: () => PriceTable;
  authenticator: Authenticator;
  gate: SpendGate;
  bodyLimitBytes: number;
  bodyTimeoutMs: number;
  /** The slowest a call's body may arrive (json-body.ts); its connection is closed below it. Default CALL_BODY_FLOOR. */
  bodyFloor?: BodyFloor;
  logger: Logger;
  /** Prices a call (prices.ts); a parameter so that the handler and its tests share one. */
  cost: (price: ModelPrice, tokens: CallTokens) => number;
  /** Counts the calls from being sent upstream until their usage is recorded (in-flight.ts). */
  inFlight?: InFlight;
}

/**
 * An agent's call comes from its pod inside the cluster, its body in milliseconds: one slower than
 * 32 KiB a second after 2 s is holding a slot, not sending a call (its connection is closed).
 */
export const CALL_BODY_FLOOR: BodyFloor = Object.freeze({ bytesPerSecond: 32_768, graceMs: 2_000 });

const sendError = (
  res: ServerResponse,
  provider: Provider,
  kind: GatewayError,
  message: string,
  close = false,
) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const { status, body } = provider.error(kind, message);
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    // A refusal of the gateway's is not a passing fault of the API: the SDK is told not to retry it.
    ...(kind === 'budget' || kind === 'authentication' ? { 'x-should-retry': 'false' } : {}),
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
};

const pickHeaders = (
  headers: IncomingMessage['headers'],
  names: readonly string[],
): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string') continue;
    if (names.some((n) => (n.endsWith('-') ? name.startsWith(n) : name === n))) out[name] = value;
  }
  return out;
};

const errorKind = (status: number): GatewayError =>
  status === 413 ? 'too_large' : status === 408 ? 'timeout' : 'invalid_request';

/** One call being served: what each step after authentication reads. */
interface Call {
  req: IncomingMessage;
  res: ServerResponse;
  /** The path and query, as the upstream is asked for them. */
  target: string;
  attempt: GatewayAttempt;
  /** What goes upstream: the parsed body as JSON again (call-body.ts), or none (a GET). */
  body: Buffer | undefined;
  parsed?: unknown;
  /** Metered: priced and admitted; undefined: an unmetered call, passed through. */
  priced?: PricedCall;
  /** A metered call's output cap, as it is forwarded. */
  outputCap?: number;
  /** Ends the call's reservation against its limits (Admission's `release`). */
  release: () => void;
}

/** A call once it goes upstream: its deadline, and its end. */
interface Sent {
  abort: AbortController;
  timer: NodeJS.Timeout;
  /** No longer in flight, its reservation released. */
  ended: () => void;
}

export function gatewayHandler(opts: GatewayHandlerOptions): RequestListener {
  const { provider, logger } = opts;
  return (req, res) => {
    serve(opts, req, res).catch((err: Error) => {
      logger.warn({ err: err.message }, 'gateway call failed');
      sendError(res, provider, 'upstream', 'the gateway could not complete the call');
    });
  };
}

async function serve(opts: GatewayHandlerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { provider } = opts;
  const target = req.url ?? '/';
  const path = target.split('?', 1)[0] ?? '/';
  const route = findRoute(provider, req.method ?? '', path);
  if (!route) return sendError(res, provider, 'not_found', `the gateway serves no ${req.method} ${path}`);
  if (route.local) {
    res.writeHead(route.local.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(route.local.body));
    return;
  }
  const attempt = await authenticate(opts, req, res);
  if (!attempt) return;
  const read = await readCallBody(opts, req, res);
  if (!read) return;
  const call: Call = { req, res, target, attempt, body: read.body, release: () => {} };
  if (!checkBody(opts, call)) return;
  if (route.metered && !(await checkLimits(opts, call))) return;
  await forward(opts, call);
}

/** Authenticated before a byte of the body is read or anything is asked of the apiserver's caches. */
async function authenticate(
  opts: GatewayHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<GatewayAttempt | undefined> {
  const token = opts.provider.credential(req.headers);
  const attempt = token && token.length <= 1024 ? await opts.authenticator.authenticate(token) : undefined;
  if (!attempt)
    sendError(res, opts.provider, 'authentication', 'no valid attempt token (or its attempt has ended)');
  return attempt;
}

/** The body within its bound; undefined when it was refused (answered here). */
async function readCallBody(
  opts: GatewayHandlerOptions,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<{ body: Buffer | undefined } | undefined> {
  if (req.method !== 'POST') return { body: undefined };
  try {
    const { bodyLimitBytes: limitBytes, bodyTimeoutMs: timeoutMs, bodyFloor: floor = CALL_BODY_FLOOR } = opts;
    return { body: await readBody(req, { limitBytes, timeoutMs, floor }) };
  } catch (err) {
    if (!(err instanceof HttpError)) throw err;
    sendError(res, opts.provider, errorKind(err.status), err.message, err.closeConnection);
    return undefined;
  }
}

/** A POST's body parsed, checked and made the bytes forwarded; false when it was refused (answered here). */
function checkBody(opts: GatewayHandlerOptions, call: Call): boolean {
  if (call.body === undefined) return true;
  const checked = callBody(opts.provider, call.body, call.req.headers, call.target.split('?', 1)[0] ?? '');
  if (typeof checked === 'string') {
    sendError(call.res, opts.provider, 'invalid_request', checked);
    return false;
  }
  call.body = checked.bytes;
  call.parsed = checked.parsed;
  return true;
}

/**
 * A metered call priced and admitted against the attempt's limits: its reservation and its output cap
 * put on `call`. False when it was refused (answered here).
 */
async function checkLimits(opts: GatewayHandlerOptions, call: Call): Promise<boolean> {
  const { provider } = opts;
  const checked = meteredCall(opts, call);
  if (typeof checked === 'string') {
    sendError(call.res, provider, 'invalid_request', checked);
    return false;
  }
  const admission = await opts.gate.admit(call.attempt, checked.call);
  if (!admission.allowed) {
    sendError(call.res, provider, 'budget', admission.message);
    return false;
  }
  call.priced = checked.call;
  call.outputCap = Math.min(checked.call.maxTokens, admission.maxTokens ?? checked.call.maxTokens);
  call.release = admission.release ?? call.release;
  if (admission.maxTokens !== undefined && admission.maxTokens < checked.call.maxTokens)
    call.body = Buffer.from(JSON.stringify(provider.capped(checked.parsed, admission.maxTokens)));
  return true;
}

function meteredCall(
  opts: GatewayHandlerOptions,
  call: Call,
): { call: PricedCall; parsed: unknown } | string {
  const { provider } = opts;
  const { body, target, parsed } = call;
  const request = provider.callRequest(parsed, target);
  if (typeof request === 'string') return request;
  const table = opts.prices();
  const entry = priceEntry(table, request.model);
  const price = entry === undefined ? undefined : table.models[entry];
  if (entry === undefined || !price)
    return `model: ${JSON.stringify(request.model)} has no price in this platform's price table, and the table names no fallback`;
  const input = provider.inputBound(parsed, body?.length ?? 0, call.req.headers);
  return { call: { ...request, priced: entry, price, input }, parsed };
}

async function forward(opts: GatewayHandlerOptions, call: Call): Promise<void> {
  const key = await opts.key();
  if (!key) {
    call.release();
    return sendError(call.res, opts.provider, 'upstream', 'the gateway has no key for the model API');
  }
  const settings = opts.upstream();
  const sent = begin(opts, call, settings.timeoutMs);
  const answer = await sendUpstream(opts, call, key, settings.url, sent);
  if (answer) meterAnswer(opts, call, answer, sent);
}

/** The call's deadline set, its client's going away followed, and the call counted in flight. */
function begin(opts: GatewayHandlerOptions, call: Call, timeoutMs: number): Sent {
  const { res } = call;
  const abort = new AbortController();
  const timer = setTimeout(
    () => abort.abort(new Error(`no complete answer within ${timeoutMs} ms`)),
    timeoutMs,
  );
  // The client went away before the answer ended: the provider stops generating (and billing).
  res.once('close', () => {
    clearTimeout(timer);
    if (!res.writableFinished) abort.abort(new Error('the client closed the connection'));
  });
  const endInFlight = opts.inFlight?.begin() ?? (() => {});
  const ended = () => {
    endInFlight();
    call.release();
  };
  return { abort, timer, ended };
}

/** The upstream's answer; undefined when it gave none (answered here). */
async function sendUpstream(
  opts: GatewayHandlerOptions,
  call: Call,
  key: string,
  url: string,
  sent: Sent,
): Promise<IncomingMessage | undefined> {
  const { provider } = opts;
  const { req, res } = call;
  try {
    return await callUpstream({
      url: upstreamUrl(url, call.target),
      method: req.method ?? 'GET',
      headers: { ...pickHeaders(req.headers, provider.forwardedHeaders), ...provider.upstreamAuth(key) },
      body: call.body,
      signal: sent.abort.signal,
    });
  } catch (err) {
    clearTimeout(sent.timer);
    if (err instanceof UpstreamError && err.sent) billed(call, sent, billUnfinished(opts, call, undefined));
    else sent.ended();
    const timedOut = sent.abort.signal.aborted && !res.destroyed;
    sendError(
      res,
      provider,
      timedOut ? 'timeout' : 'upstream',
      timedOut
        ? `the model API gave no answer in time`
        : `the model API could not be reached: ${(err as Error).message}`,
    );
    return undefined;
  }
}

/** The answer passed on as it arrives, its usage read when the call is metered and the answer a success. */
function meterAnswer(opts: GatewayHandlerOptions, call: Call, answer: IncomingMessage, sent: Sent): void {
  const { provider } = opts;
  const status = answer.statusCode ?? 502;
  const reader = call.priced && status < 300 ? provider.usageReader(call.priced.stream) : undefined;
  call.res.writeHead(status, pickHeaders(answer.headers, provider.returnedHeaders));
  let settled = false;
  // An error answer (not 2xx) is the provider's, stated whole: it bills nothing, so nothing is recorded.
  const settle = () => {
    if (settled) return;
    settled = true;
    clearTimeout(sent.timer);
    if (!reader || !call.priced) return sent.ended();
    const tokens = reader.usage();
    billed(
      call,
      sent,
      tokens && reader.final() ? record(opts, call, tokens, false) : billUnfinished(opts, call, tokens),
    );
  };
  passOn(call.res, answer, reader, settle);
}

/**
 * A metered call handed to the ledger: its cost counts against its limits from now on (Ledger's
 * `record`), so its reservation ends; it stays in flight until the cost is written.
 */
function billed(call: Call, sent: Sent, written: Promise<void>): void {
  call.release();
  written.finally(sent.ended);
}

/**
 * A metered call that may have reached the provider, ended without its final usage: billed its
 * reservation, or what was `counted` of it when that costs more.
 */
function billUnfinished(
  opts: GatewayHandlerOptions,
  call: Call,
  counted: CallTokens | undefined,
): Promise<void> {
  const { priced, outputCap } = call;
  if (!priced || outputCap === undefined) return Promise.resolve();
  const reserved = reservedTokens(priced.price, priced.input, outputCap);
  const tokens = unfinishedTokens((t) => opts.cost(priced.price, t), reserved, counted);
  opts.logger.warn(
    { attempt: call.attempt, model: priced.model, counted: counted !== undefined },
    'a metered call ended without its final usage: billed its reservation',
  );
  return record(opts, call, tokens, true);
}

/** What the call used, in the ledger; a failure to write it is logged, never the client's. */
function record(opts: GatewayHandlerOptions, call: Call, tokens: CallTokens, cut: boolean): Promise<void> {
  const { attempt, priced } = call;
  if (!priced) return Promise.resolve();
  const costMicros = opts.cost(priced.price, tokens);
  return opts.gate
    .record(attempt, {
      provider: opts.provider.name,
      model: priced.model,
      priced: priced.priced,
      tokens,
      costMicros,
      cut,
    })
    .catch((err: Error) =>
      opts.logger.error({ err: err.message, attempt }, 'a metered call was not recorded'),
    );
}

/**
 * The answer's bytes to the client. The chunks one read of the upstream socket yields (a model's
 * events, often many) are passed on together, before the process turns to other I/O: one write and
 * one chunk frame for them, where a write each would cost as many (Node sends the writes of one tick
 * together all the same, so no byte waits longer). A slow client holds the provider back rather than
 * the gateway's memory.
 */
function passOn(
  res: ServerResponse,
  answer: IncomingMessage,
  reader: UsageReader | undefined,
  settle: () => void,
): void {
  let arrived: Buffer[] = [];
  /** The bytes arrived and not yet passed on, metered (an answer that breaks off is metered to its last byte). */
  const take = (): Buffer | undefined => {
    if (arrived.length === 0) return undefined;
    const bytes = arrived.length === 1 ? (arrived[0] as Buffer) : Buffer.concat(arrived);
    arrived = [];
    reader?.push(bytes);
    return bytes;
  };
  const write = () => {
    const bytes = take();
    if (bytes && !res.write(bytes)) {
      answer.pause();
      res.once('drain', () => answer.resume());
    }
  };
  let bodyCame = false;
  answer.on('data', (chunk: Buffer) => {
    bodyCame = true;
    if (arrived.push(chunk) === 1) process.nextTick(write);
  });
  // The status and headers go when the upstream's came: with the first bytes of the body when they
  // came in the same read (those flow before this tick), else on their own.
  process.nextTick(() => {
    if (!bodyCame && !res.destroyed) res.flushHeaders();
  });
  answer.once('end', () => {
    write();
    settle();
    res.end();
  });
  answer.once('error', () => {
    take();
    settle();
    res.destroy();
  });
  answer.once('close', () => {
    take();
    settle();
  });
}
