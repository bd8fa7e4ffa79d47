import { METHODS } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import Koa from 'koa';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { HttpError, readJsonBody } from '../http/json-body.js';
import { type CertificateFiles, loadKeyPair, reloadCertificates } from '../http/reloading-tls.js';
import { webhookMetrics } from './metrics.js';
import {
  type AdmissionRequest,
  type AdmissionResult,
  MalformedReview,
  parseReview,
  reviewResponse,
} from './review.js';

/** One webhook endpoint: a path and the function that decides. */
export interface WebhookRoute {
  /** Metric and log label, e.g. `mutate-taskrun`. */
  name: string;
  /** URL path, e.g. `/mutate-orchestrator-io-v1-taskrun` (the kubebuilder convention). */
  path: string;
  handle(request: AdmissionRequest): AdmissionResult | Promise<AdmissionResult>;
}

export interface WebhookServerOptions extends CertificateFiles {
  routes: WebhookRoute[];
  registry: Registry;
  logger: Logger;
  /** Default 9443, the controller-runtime default. 0 picks a free port. */
  port?: number;
  /** Default 0.0.0.0: the apiserver reaches the pod through its Service. */
  host?: string;
  /** Default 3 MiB: an AdmissionReview carries the object and the old object, each up to ~1 MiB. */
  bodyLimitBytes?: number;
  /** Default 10 s: the apiserver's own webhook timeout is shorter, so a stalled client is not ours to wait for. */
  requestTimeoutMs?: number;
  /** Certificate poll interval (file events are the fast path). Default 10 s. */
  certPollMs?: number;
}

export interface WebhookServer {
  port: number;
  /** True while the listener is up with a loaded certificate: feeds /readyz. */
  serving(): boolean;
  close(): Promise<void>;
}

export async function startWebhookServer(opts: WebhookServerOptions): Promise<WebhookServer> {
  const { logger } = opts;
  const metrics = webhookMetrics(
    opts.registry,
    opts.routes.map((r) => r.name),
  );
  const limitBytes = opts.bodyLimitBytes ?? 3 * 1024 * 1024;
  const timeoutMs = opts.requestTimeoutMs ?? 10_000;
  const app = new Koa();
  // Every method Node parses counts as implemented, so an unexpected one on a webhook path is a 405 (with
  // Allow: POST) and elsewhere a 404, never koa-router's 501: a client error is never a 5xx.
  const router = new Router({ methods: [...METHODS] });

  for (const route of opts.routes) {
    router.post(route.path, async (ctx) => {
      const started = process.hrtime.bigint();
      metrics.inFlight.inc({ webhook: route.name });
      let summary: Record<string, unknown> = {};
      try {
        let parsed: ReturnType<typeof parseReview>;
        try {
          parsed = parseReview(await readJsonBody(ctx.req, { limitBytes, timeoutMs }));
        } catch (err) {
          if (err instanceof MalformedReview)
            throw new HttpError(400, `malformed AdmissionReview: ${err.message}`);
          throw err;
        }
        const { apiVersion, request } = parsed;
        let result: AdmissionResult;
        try {
          result = await route.handle(request);
        } catch (err) {
          // Our bug, not the user's: deny (failurePolicy is Fail anyway) with a message that says so.
          metrics.internalErrors.inc({ webhook: route.name });
          logger.error({ err, webhook: route.name, uid: request.uid }, 'admission handler failed');
          result = {
            allowed: false,
            code: 500,
            rule: 'internal',
            message: `internal error in the orchestrator ${route.name} webhook (logged with uid ${request.uid}); please report it`,
          };
        }
        if (!result.allowed) metrics.denials.inc({ webhook: route.name, rule: result.rule });
        ctx.status = 200;
        ctx.body = reviewResponse(apiVersion, request.uid, result);
        summary = {
          uid: request.uid,
          kind: request.kind.kind,
          resource: `${request.namespace ?? ''}/${request.name ?? (request.object?.metadata as { generateName?: string })?.generateName ?? ''}`,
          operation: request.operation,
          dryRun: request.dryRun === true,
          allowed: result.allowed,
          ...(result.allowed
            ? { patchOps: result.patch?.length ?? 0 }
            : { rule: result.rule, message: result.message }),
        };
      } catch (err) {
        const status = err instanceof HttpError ? err.status : 500;
        if (status === 500) logger.error({ err, webhook: route.name }, 'webhook request failed');
        const error = err instanceof HttpError ? err.message : 'internal error';
        ctx.status = status;
        ctx.body = { error };
        summary = { error };
      } finally {
        const seconds = Number(process.hrtime.bigint() - started) / 1e9;
        metrics.inFlight.dec({ webhook: route.name });
        metrics.latency.observe({ webhook: route.name }, seconds);
        metrics.requests.inc({ webhook: route.name, code: String(ctx.status) });
        logger.info(
          { webhook: route.name, status: ctx.status, latencyMs: +(seconds * 1000).toFixed(3), ...summary },
          'admission review',
        );
      }
    });
  }
  app.use(router.routes());
  app.use(router.allowedMethods());
  app.on('error', (err) => logger.debug({ err }, 'webhook connection error'));

  const pair = loadKeyPair(opts);
  const server: Server = createServer(
    {
      cert: pair.cert,
      key: pair.key,
      minVersion: 'TLSv1.2',
      // A client that stalls the handshake is not kept for Node's default 2 minutes.
      handshakeTimeout: timeoutMs,
      // Node enforces headersTimeout/requestTimeout only when it checks, by default every 30 s.
      connectionsCheckingInterval: Math.min(1000, timeoutMs / 4),
    },
    app.callback(),
  );
  server.requestTimeout = timeoutMs;
  server.headersTimeout = timeoutMs;
  server.keepAliveTimeout = 30_000;
  const stopReload = reloadCertificates(server, opts, {
    pollMs: opts.certPollMs,
    onReload: (fingerprint) => logger.info({ fingerprint }, 'webhook serving certificate reloaded'),
    onError: (err) =>
      logger.warn({ err: err.message }, 'webhook certificate not reloaded; the last good one keeps serving'),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 9443, opts.host ?? '0.0.0.0', () => resolve());
  });
  let listening = true;
  logger.info(
    { port: (server.address() as AddressInfo).port, fingerprint: pair.fingerprint },
    'webhook server listening',
  );
  return {
    port: (server.address() as AddressInfo).port,
    serving: () => listening,
    close: () =>
      new Promise<void>((resolve) => {
        listening = false;
        stopReload();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
