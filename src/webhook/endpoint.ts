// One webhook endpoint as a Node request handler: read the AdmissionReview, decide, answer in the
// version asked; count, time and log it (one line per review). This is the hot path of the webhook
// server: what is per route (metrics, the log child) is bound once, the answer is serialised once and
// written with its headers in one call (no koa context per review; server.ts).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { AdmissionRequest, AdmissionResult, ReviewCaller } from '../admission/index.js';
import { HttpError, plainAddress, readJsonBody, type SourceTrust } from '../http/index.js';
import { truncate } from '../validation/index.js';
import type { RouteMetrics, WebhookMetrics } from './metrics.js';
import { MalformedReview, parseReview, reviewResponseJson } from './review.js';

/** One webhook endpoint: a path and the function that decides. */
export interface WebhookRoute {
  /** Log label, e.g. `mutate-taskrun`. */
  name: string;
  /**
   * URL path, e.g. `/mutate-orchestrator-io-v1-taskrun` (the kubebuilder convention); the metrics'
   * `webhook` label, as controller-runtime's.
   */
  path: string;
  /** `caller`: what TLS proved about who posted it; absent, not proven to be the apiserver. */
  handle(request: AdmissionRequest, caller?: ReviewCaller): AdmissionResult | Promise<AdmissionResult>;
}

/**
 * The caller is the apiserver when it presented a client certificate the server verified against the
 * webhook's client CA (server.ts `clientCAFile`; without one no certificate is asked for). Its address
 * is a trusted source when `trust` says so (the control plane's ranges, or proven by certificate).
 */
export const reviewCaller = (req: IncomingMessage, trust?: SourceTrust): ReviewCaller => {
  const address = plainAddress(req.socket.remoteAddress);
  return {
    apiserver: (req.socket as Partial<TLSSocket>).authorized === true,
    source: { address, trusted: trust?.trusted(address) ?? false },
  };
};

export interface EndpointOptions {
  metrics: WebhookMetrics;
  logger: Logger;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  /** Which client addresses are trusted sources. Default none. */
  trust?: SourceTrust;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/** Serves one review: always an answer, a 4xx for a client error, never a 5xx for one. */
export type ReviewEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The handler serving `route`. */
export function reviewEndpoint(route: WebhookRoute, opts: EndpointOptions): ReviewEndpoint {
  const { metrics } = opts;
  const counts = metrics.route(route.path);
  const log = opts.logger.child({ webhook: route.name });
  const body = { limitBytes: opts.bodyLimitBytes, timeoutMs: opts.requestTimeoutMs };
  return async (req, res) => {
    const started = performance.now();
    counts.inFlight++;
    let status = 200;
    let retryAfter: number | undefined;
    let answer: string;
    let summary: Record<string, unknown>;
    try {
      const { apiVersion, request } = await readReview(req, body);
      const result = await decide(route, request, reviewCaller(req, opts.trust), metrics, counts, log);
      if (!result.allowed) counts.denied(result.rule);
      answer = reviewResponseJson(apiVersion, request.uid, result);
      summary = reviewSummary(request, result);
    } catch (err) {
      status = err instanceof HttpError ? err.status : 500;
      retryAfter = err instanceof HttpError ? err.retryAfterSeconds : undefined;
      if (status === 500) log.error({ err }, 'webhook request failed');
      const error = err instanceof HttpError ? err.message : 'internal error';
      answer = JSON.stringify({ error });
      summary = { error };
    }
    const headers = ['Content-Type', JSON_TYPE, 'Content-Length', String(Buffer.byteLength(answer))];
    if (retryAfter !== undefined) headers.push('Retry-After', String(retryAfter));
    res.writeHead(status, headers);
    res.end(answer);
    const seconds = (performance.now() - started) / 1000;
    counts.inFlight--;
    counts.answered(status, seconds);
    summary.status = status;
    summary.latencyMs = Math.round(seconds * 1e6) / 1000;
    log.info(summary, 'admission review');
  };
}

async function readReview(req: Parameters<typeof readJsonBody>[0], opts: Parameters<typeof readJsonBody>[1]) {
  try {
    return parseReview(await readJsonBody(req, opts));
  } catch (err) {
    if (err instanceof MalformedReview) throw new HttpError(400, `malformed AdmissionReview: ${err.message}`);
    throw err;
  }
}

/** The route's decision; its own failure becomes a denial that says it is internal (and is counted). */
async function decide(
  route: WebhookRoute,
  request: AdmissionRequest,
  caller: ReviewCaller,
  metrics: WebhookMetrics,
  counts: RouteMetrics,
  log: Logger,
): Promise<AdmissionResult> {
  try {
    return await route.handle(request, caller);
  } catch (err) {
    // Our bug, not the user's: deny (failurePolicy is Fail anyway) with a message that says so.
    counts.internalErrors++;
    metrics.panics++;
    log.error({ err, uid: request.uid }, 'admission handler failed');
    return {
      allowed: false,
      code: 500,
      rule: 'internal',
      message: `internal error in the orchestrator ${route.name} webhook (logged with uid ${request.uid}); please report it`,
    };
  }
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');

/**
 * What the log line says about a review. User input is cut short (a fuzzed uid or name of megabytes
 * must not make a log line of megabytes), and a denial is logged by its rule and finding count: its
 * message quotes user input and may be 100 KiB long (the answer carries it).
 */
function reviewSummary(request: AdmissionRequest, result: AdmissionResult): Record<string, unknown> {
  const name = request.name ?? text((request.object?.metadata as { generateName?: unknown })?.generateName);
  const summary: Record<string, unknown> = {
    uid: truncate(request.uid, 253),
    kind: truncate(request.kind.kind, 253),
    resource: truncate(`${request.namespace ?? ''}/${name}`, 512),
    operation: request.operation,
    dryRun: request.dryRun === true,
    allowed: result.allowed,
  };
  // Assigned, not spread: a spread of a conditional object is slow to build, and this runs per review.
  if (result.allowed) summary.patchOps = result.patch?.length ?? 0;
  else {
    summary.rule = result.rule;
    summary.findings = result.findings ?? 1;
    // What the answer withheld from a caller not proven to be the apiserver (reference-denial.ts).
    if (result.logDetail) {
      summary.correlation = result.logDetail.correlation;
      summary.detail = truncate(result.logDetail.message, 4096);
    }
  }
  return summary;
}
