// Serves the Prometheus exposition of one registry at /metrics: plain HTTP on an address, or through a
// caller's server (controller-runtime's SecureServing and FilterProvider: HTTPS and access checks stay
// outside the runtime, src/app/secure-metrics.ts).
import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';
import { boundPort, closeServer, type ListenAddress, listen } from './http-server.js';

/** A listening server, as the manager keeps it: its port, and how to close it. */
export interface ServingEndpoint {
  port: number;
  close(): Promise<void>;
}

/** Starts a server for the manager's /metrics handler (e.g. HTTPS with every scrape authorised). */
export type ServeMetrics = (handler: RequestListener) => Promise<ServingEndpoint>;

/** Where /metrics is served: an address (plain HTTP, no authentication) or a server of the caller's. */
export type MetricsServing = ListenAddress | ServeMetrics;

export async function serveMetrics(registry: Registry, serving: MetricsServing): Promise<ServingEndpoint> {
  const handler = metricsHandler(registry);
  if (typeof serving === 'function') return serving(handler);
  const server = await listen(handler, serving);
  return { port: boundPort(server), close: () => closeServer(server) };
}

export function metricsHandler(registry: Registry): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://metrics').pathname;
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': registry.contentType }).end(text),
      (err: Error) =>
        res
          .writeHead(500, { 'Content-Type': 'text/plain' })
          .end(`collecting metrics failed: ${err.message}\n`),
    );
  };
}
