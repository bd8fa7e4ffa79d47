import { type IncomingMessage, METHODS, type RequestListener, type ServerResponse } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { CertificateFiles, ConnectionLimits } from '../http/index.js';
import {
  certWatcherMetrics,
  type HttpsServer,
  ListenerBudget,
  type ListenerLimits,
  type SourceTrust,
  STRICT_ROUTES,
  sourceTrust,
  startHttpsServer,
} from '../http/index.js';
import { type ReviewEndpoint, reviewEndpoint, type WebhookRoute } from './endpoint.js';
import { webhookMetrics } from './metrics.js';

export type { WebhookRoute } from './endpoint.js';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_BODY_LIMIT = 3 * 1024 * 1024;
/** The config schema's defaults (webhook.limits): see docs/security.md for the memory they bound. */
const DEFAULT_LIMITS: ListenerLimits = { maxConcurrentRequests: 64, maxBytesInFlight: 32 * 1024 * 1024 };

export interface WebhookAppOptions {
  routes: WebhookRoute[];
  registry: Registry;
  logger: Logger;
  /** Default 3 MiB: an AdmissionReview carries the object and the old object, each up to ~1 MiB. */
  bodyLimitBytes?: number;
  /** Requests and body bytes (with their parsing) served at once; default 64 and 32 MiB. */
  limits?: ListenerLimits;
  /** Default 10 s: the apiserver's own webhook timeout is shorter, so a stalled client is not ours to wait for. */
  requestTimeoutMs?: number;
  /** Which client addresses are trusted sources (their reviews are not held to a share). Default none. */
  trust?: SourceTrust;
}

/**
 * The request handler serving `routes`. A POST to a webhook path goes straight to its endpoint after
 * one Map lookup: a koa context per review cost more than the rest of the request's handling outside
 * the review itself (bench:webhook). Anything else (another method, an unknown or unusual path, a query
 * string — the apiserver adds `?timeout=` —, OPTIONS) goes through koa and @koa/router, which answer
 * 404, 405 with Allow, or route a path with a query to its endpoint. Routes are exact
 * (src/http/request-target.ts): another case or a trailing slash is a 404, as in the apiserver.
 */
export function webhookHandler(opts: WebhookAppOptions): RequestListener {
  const metrics = webhookMetrics(
    opts.registry,
    opts.routes.map((r) => r.path),
  );
  const endpointOptions = {
    metrics,
    logger: opts.logger,
    bodyLimitBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    requestTimeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    ...(opts.trust ? { trust: opts.trust } : {}),
  };
  // An endpoint catches its own failures; one escaping (a bug in writing the answer) must not become an
  // unhandled rejection that ends the process.
  const serve = (endpoint: ReviewEndpoint, req: IncomingMessage, res: ServerResponse) =>
    endpoint(req, res).catch((err) => {
      opts.logger.error({ err }, 'webhook request failed');
      if (res.headersSent) res.destroy();
      else res.writeHead(500, { 'Content-Type': 'application/json' }).end('{"error":"internal error"}');
    });
  // Every method Node parses counts as implemented, so an unexpected one on a webhook path is a 405 (with
  // Allow: POST) and elsewhere a 404, never koa-router's 501: a client error is never a 5xx.
  const router = new Router({ methods: [...METHODS], ...STRICT_ROUTES });
  const endpoints = new Map<string, ReviewEndpoint>();
  for (const route of opts.routes) {
    const endpoint = reviewEndpoint(route, endpointOptions);
    router.post(route.path, (ctx) => {
      ctx.respond = false;
      return serve(endpoint, ctx.req, ctx.res);
    });
    endpoints.set(route.path, endpoint);
  }
  const app = new Koa();
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (err) => opts.logger.debug({ err }, 'webhook connection error'));
  const fallback = app.callback();
  return (req, res) => {
    const endpoint = req.method === 'POST' && req.url ? endpoints.get(req.url) : undefined;
    if (endpoint) void serve(endpoint, req, res);
    else void fallback(req, res);
  };
}

export interface WebhookServerOptions extends CertificateFiles, WebhookAppOptions {
  /** Default 9443, the controller-runtime default. 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0: the apiserver reaches the pod through its Service. */
  host?: string;
  /** Certificate poll interval (file events are the fast path). Default 10 s. */
  certPollMs?: number;
  // clientCAFile (CertificateFiles): the CAs of the apiserver's client certificate. Set, a caller
  // without one of their certificates fails the TLS handshake, and the answers may name the
  // requester's permissions (the caller is the apiserver). Unset, anyone who reaches the port is
  // served and no answer names anyone's permissions (docs/security.md "Authenticating the apiserver").
  /** Per listener and per client address, and the handshake and header timeout; default the config's. */
  connections?: ConnectionLimits;
}

export type WebhookServer = HttpsServer;

export function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  // One trust for the connections' reserve and the reviews' shares: an address proven by certificate
  // on a connection is trusted by both.
  const trust = opts.trust ?? sourceTrust(opts.connections?.trustedSources);
  return startHttpsServer({
    ...opts,
    name: 'webhook',
    handler: webhookHandler({ ...opts, trust }),
    trust,
    // Without a client CA anyone who reaches the port is served: bounded before the body is read.
    budget: new ListenerBudget({
      name: 'webhook',
      maxConcurrent: limits.maxConcurrentRequests,
      maxBytesInFlight: limits.maxBytesInFlight,
      maxBodyBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    }),
    port: opts.port ?? 9443,
    host: opts.host ?? '0.0.0.0',
    timeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    metrics: certWatcherMetrics(opts.registry),
  });
}
