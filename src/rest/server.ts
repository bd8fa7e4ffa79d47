// The REST API server (docs/rest-api.md): koa on its own HTTPS port, with the webhook server's
// certificate machinery. Unauthenticated: /health, /healthz, /openapi.json, the web console's files
// under /console/ (console.ts: they hold no data), and the routers the caller adds (each does its own
// checks, e.g. the GitHub webhook's signature). Under /api/v1: the caller's token (TokenReview), its
// rate limit, then RBAC per request (SubjectAccessReview) in the run routes.
import { METHODS } from 'node:http';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { BudgetReports, ControllerConfig } from '../api/index.js';
import type { AccessReviewer } from '../auth/index.js';
import type { CertificateFiles, ConnectionLimits } from '../http/index.js';
import {
  type HttpsServer,
  ListenerBudget,
  type ListenerLimits,
  originFormPath,
  STRICT_ROUTES,
  startHttpsServer,
  TokenBuckets,
} from '../http/index.js';
import { tracingMiddleware } from '../observability/index.js';
import type { ApiRequester, Clock } from '../runtime/index.js';
import { consoleRouter } from './console.js';
import { authenticated, statusErrors } from './middleware.js';
import { openApiDocument } from './openapi.js';
import { ROUTES } from './paths.js';
import { runRoutes } from './run-routes.js';
import { type StreamLimits, StreamSlots } from './stream-slots.js';
import type { RunStreams, WatchLimits } from './watch.js';

export interface ApiAppOptions {
  /** The manager's client: runs are created, read and patched as the manager. */
  client: ApiRequester;
  /** The manager's watches (the same client, in the process): `?watch=true` streams one per caller. */
  streams: RunStreams;
  /** Watches open at once (default 32 per replica, 4 per user) and how long each lasts (default 300 s). */
  watchLimits?: Partial<Omit<WatchLimits, 'slots'> & StreamLimits>;
  /** Asks the apiserver who a caller is and what it may do. */
  reviewer: AccessReviewer;
  config: () => ControllerConfig;
  /** The team budgets' standings (GET /api/v1/budgets), from the run controllers' caches. */
  budgets: BudgetReports;
  logger: Logger;
  /** Mounted as they are, before the API's own routes (e.g. the GitHub webhook's router). */
  routers?: Router[];
  /** The limit on each request and on each apiserver call it makes. Default 10 s. */
  requestTimeoutMs?: number;
  /** Default 1 MiB. */
  bodyLimitBytes?: number;
  /** Per authenticated user. Default 5 per second, bursts of 20. */
  rateLimit?: { requestsPerSecond: number; burst: number };
  /** What the rate limits measure time by. Default: real time. */
  clock?: Clock;
  /** Serve the web console under /console/ (docs/console.md). Default true. */
  console?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;

function watchLimits(opts: ApiAppOptions, timeoutMs: number): WatchLimits {
  const given = opts.watchLimits ?? {};
  return {
    slots: new StreamSlots({ total: given.total ?? 32, perUser: given.perUser ?? 4 }),
    heartbeatMs: given.heartbeatMs ?? 15_000,
    timeoutSeconds: given.timeoutSeconds ?? 300,
    connectTimeoutMs: given.connectTimeoutMs ?? timeoutMs,
    maxBufferedBytes: given.maxBufferedBytes ?? 8 * 1024 * 1024,
  };
}
const DEFAULT_BODY_LIMIT = 1024 * 1024;

/** The koa application (without a listener). */
export function apiApp(opts: ApiAppOptions): Koa {
  const timeoutMs = opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  const rate = opts.rateLimit ?? { requestsPerSecond: 5, burst: 20 };
  const buckets = new TokenBuckets({
    ratePerSecond: rate.requestsPerSecond,
    burst: rate.burst,
    clock: opts.clock,
  });
  const app = new Koa();
  app.use(statusErrors(opts.logger));
  // A server span per request (a bare next() with tracing off): the caller's trace continues here.
  app.use(tracingMiddleware('rest'));

  // Every method Node parses counts as implemented: an unexpected one is a 405, never koa-router's 501.
  // Exact routes (request-target.ts): the path a budget is chosen by is the only one that reaches a route.
  const open = new Router({ methods: [...METHODS], ...STRICT_ROUTES });
  const health = (ctx: Koa.Context) => {
    ctx.type = 'text/plain';
    ctx.body = 'ok';
  };
  open.get(ROUTES.health, health);
  open.get(ROUTES.healthz, health);
  const document = JSON.stringify(openApiDocument());
  open.get(ROUTES.openapi, (ctx) => {
    ctx.type = 'application/json';
    ctx.body = document;
  });
  app.use(open.routes());
  app.use(open.allowedMethods());
  if (opts.console !== false) app.use(consoleRouter().routes());
  for (const router of opts.routers ?? []) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }

  const runs = runRoutes({
    client: opts.client,
    config: opts.config,
    reviewer: opts.reviewer,
    streams: opts.streams,
    watchLimits: watchLimits(opts, timeoutMs),
    authenticate: authenticated(opts.reviewer, buckets, timeoutMs),
    bodyLimitBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    bodyTimeoutMs: timeoutMs,
    budgets: opts.budgets,
    now: () => opts.clock?.now() ?? new Date(),
  });
  app.use(runs.routes());
  app.use(runs.allowedMethods());
  app.on('error', (err) => opts.logger.debug({ err }, 'REST API connection error'));
  return app;
}

export interface ApiServerOptions extends ApiAppOptions, CertificateFiles {
  /** 0 picks a free port. */
  port: number;
  host: string;
  /** Certificate poll interval (file events are the fast path). Default 10 s. */
  certPollMs?: number;
  /** Per listener and per client address, and the handshake and header timeout; default the config's. */
  connections?: ConnectionLimits;
  /** The API's requests and body bytes at once (api.limits); default 64 and 16 MiB. */
  limits?: ListenerLimits;
  /** Per client address, before authentication (api.clientRateLimit); default 20 per second, bursts of 40. */
  clientRateLimit?: { requestsPerSecond: number; burst: number };
  /**
   * Paths with a budget of their own (e.g. the GitHub webhook's), matched exactly: their routers must be
   * strict (STRICT_ROUTES), so that no other spelling of the path reaches them under the API's budget.
   */
  pathBudgets?: ReadonlyMap<string, ListenerBudget>;
}

export type ApiServer = HttpsServer;

/** The REST API's own budget (every path but those of `pathBudgets`). */
function apiBudget(opts: ApiServerOptions): ListenerBudget {
  const limits = opts.limits ?? { maxConcurrentRequests: 64, maxBytesInFlight: 16 * 1024 * 1024 };
  const rate = opts.clientRateLimit ?? { requestsPerSecond: 20, burst: 40 };
  return new ListenerBudget({
    name: 'api',
    maxConcurrent: limits.maxConcurrentRequests,
    maxBytesInFlight: limits.maxBytesInFlight,
    maxBodyBytes: opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT,
    perAddress: new TokenBuckets({
      ratePerSecond: rate.requestsPerSecond,
      burst: rate.burst,
      clock: opts.clock,
    }),
  });
}

/** Starts the REST API; `routers` (e.g. the GitHub webhook) are served on the same port. */
export function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const app = apiApp(opts).callback();
  const own = apiBudget(opts);
  const budgets = opts.pathBudgets ?? new Map<string, ListenerBudget>();
  return startHttpsServer({
    ...opts,
    name: 'api',
    // Each request is held to its path's budget before koa (or anything else) sees it: the path as koa
    // will route it; a target that is not a plain path is refused by the API's budget (400).
    handler: (req, res) => {
      const path = originFormPath(req.url);
      const budget = (path === undefined ? undefined : budgets.get(path)) ?? own;
      if (budget.admit(req, res)) void app(req, res);
    },
    timeoutMs: opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS,
  });
}
