// An HTTPS listener with the serving certificate reloaded in place (reloading-tls.ts), its connections
// bounded (connection-limits.ts) and Node's request timeouts enforced: what the webhook server, the
// REST API and the secure metrics endpoint share.
import type { RequestListener } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { Logger } from 'pino';
import type { CertificateMetrics } from './certwatcher-metrics.js';
import {
  applyRequestTimeouts,
  type ConnectionCounts,
  type ConnectionLimits,
  connectionsCheckingInterval,
  DEFAULT_CONNECTION_LIMITS,
  limitConnections,
} from './connection-limits.js';
import type { ListenerBudget } from './listener-budget.js';
import { type CertificateFiles, contextOf, loadKeyPair, reloadCertificates } from './reloading-tls.js';
import type { SourceTrust } from './source-trust.js';

/** The serving TLS options besides the pair: the same at start and on every certificate reload. */
const TLS_OPTIONS: SecureContextOptions = { minVersion: 'TLSv1.2' };

export interface HttpsServerOptions extends CertificateFiles {
  /** What the server is, for log lines (`webhook`, `api`). */
  name: string;
  handler: RequestListener;
  port: number;
  host: string;
  /** The limit on the whole request, body included. */
  timeoutMs: number;
  /** Connections open at once, per listener and per address, and the handshake and header timeout. */
  connections?: ConnectionLimits;
  /** Certificate poll interval (file events are the fast path). Default 10 s. */
  certPollMs?: number;
  logger: Logger;
  /** The certificate's metrics (reads, failures, expiry). Default none. */
  metrics?: CertificateMetrics;
  /** Requests past it are refused before their body is read (listener-budget.ts). Default none. */
  budget?: ListenerBudget;
  /** Which client addresses take the reserved connections. Default the ranges of `connections`. */
  trust?: SourceTrust;
}

export interface HttpsServer {
  port: number;
  /** Its open connections by client address, and those refused (tests). */
  connections: ConnectionCounts;
  /** True while the listener is up with a loaded certificate and not draining: feeds /readyz. */
  serving(): boolean;
  /**
   * Stops being ready but goes on answering, each answer closing its connection: a client's next
   * request opens a new connection, which the Service routes to a replica that is still ready. For
   * the time between a stop signal and the endpoint's removal (docs/design.md §9). Idle connections
   * are left to their next request: closed now, one could cross a request the client is sending.
   */
  drain(): void;
  close(): Promise<void>;
}

export async function startHttpsServer(opts: HttpsServerOptions): Promise<HttpsServer> {
  const { logger, name, timeoutMs } = opts;
  const limits = opts.connections ?? DEFAULT_CONNECTION_LIMITS;
  const pair = loadKeyPair(opts, TLS_OPTIONS, opts.metrics);
  let draining = false;
  const handler: RequestListener = opts.budget ? opts.budget.guard(opts.handler) : opts.handler;
  const server: Server = createServer(
    {
      ...contextOf(pair, TLS_OPTIONS),
      // With a client CA, a client without a certificate it signed fails the handshake: nothing of its
      // request is read (the webhook's apiserver authentication, docs/security.md).
      ...(opts.clientCAFile ? { requestCert: true, rejectUnauthorized: true } : {}),
      // A client that stalls the handshake is not kept for Node's default 2 minutes, nor for the whole
      // request's time: limitConnections closes it at the header timeout. Node's limit, at twice it, is
      // a backstop: it acts from a timer before a late loop reads the handshake that came in time.
      handshakeTimeout: 2 * limits.headerTimeoutMs,
      // Node enforces headersTimeout/requestTimeout only when it checks, by default every 30 s.
      connectionsCheckingInterval: connectionsCheckingInterval(Math.min(timeoutMs, limits.headerTimeoutMs)),
    },
    (req, res) => {
      if (draining) res.setHeader('Connection', 'close');
      handler(req, res);
    },
  );
  const connections = limitConnections(server, limits, opts.trust);
  applyRequestTimeouts(server, limits.headerTimeoutMs, timeoutMs);
  server.keepAliveTimeout = 30_000;
  const stopReload = reloadCertificates(server, opts, {
    serving: pair,
    tls: TLS_OPTIONS,
    pollMs: opts.certPollMs,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    onReload: (fingerprint) => logger.info({ fingerprint }, `${name} serving certificate reloaded`),
    onError: (err) =>
      logger.warn({ err: err.message }, `${name} certificate not reloaded; the last good one keeps serving`),
    onWatchError: (err) =>
      logger.warn({ err: err.message }, `${name} certificates not watched; rotations are seen by polling`),
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port, opts.host, () => resolve());
    });
  } catch (err) {
    stopReload();
    throw err;
  }
  let listening = true;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, fingerprint: pair.fingerprint }, `${name} server listening`);
  return {
    port,
    connections,
    serving: () => listening && !draining,
    drain: () => {
      draining = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        listening = false;
        stopReload();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
