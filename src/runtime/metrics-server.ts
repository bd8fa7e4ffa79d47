// Serves the Prometheus exposition of one registry at /metrics.
import type { RequestListener } from 'node:http';
import type { Registry } from 'prom-client';

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
