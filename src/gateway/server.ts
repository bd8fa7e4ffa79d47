// The gateway's listener (docs/security.md "Listener budgets"): plain HTTP inside the cluster, its
// connections bounded per listener and per address before a byte is read, its requests by its own
// budget (concurrency, body bytes, a rate per address, a share per client) before the token is checked;
// the operator's own routes (the GitHub token broker) by a budget of theirs. Streamed answers
// hold their slot until they end, so the request timeout covers receiving the request only.
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenerBudget } from '../http/index.js';
import {
  applyRequestTimeouts,
  type ConnectionLimits,
  connectionsCheckingInterval,
  limitConnections,
} from '../http/index.js';

export interface GatewayServerOptions {
  handler: RequestListener;
  /**
   * Routes of the operator's own beside the model API's, on the same listener and budget: the
   * request's handler when it is theirs (the token brokers: credential-route.ts).
   */
  routes?: (req: IncomingMessage) => RequestListener | undefined;
  /** The model API's budget. */
  budget: ListenerBudget;
  /** The routes' own budget (budgets.ts): a flood of model calls leaves theirs whole. Default `budget`. */
  routesBudget?: ListenerBudget;
  connections: ConnectionLimits;
  /** How long a client may take to send its whole request. */
  requestTimeoutMs: number;
  port: number;
  host: string;
}

export interface GatewayServer {
  port: number;
  serving(): boolean;
  /**
   * Stops taking connections and closes idle ones; the requests being answered have `graceMs` to end
   * (a stream runs on to its end), then every connection is closed.
   */
  close(graceMs?: number): Promise<void>;
}

/** Each request behind the budget of what serves it: one of the routes, or the model API. */
function routed(opts: GatewayServerOptions): RequestListener {
  const model = opts.budget.guard(opts.handler);
  const routesBudget = opts.routesBudget ?? opts.budget;
  return (req, res) => {
    const route = opts.routes?.(req);
    if (!route) return model(req, res);
    if (routesBudget.admit(req, res)) route(req, res);
  };
}

export async function startGatewayServer(opts: GatewayServerOptions): Promise<GatewayServer> {
  const { connections } = opts;
  const server = createServer(
    {
      connectionsCheckingInterval: connectionsCheckingInterval(
        Math.min(opts.requestTimeoutMs, connections.headerTimeoutMs),
      ),
    },
    routed(opts),
  );
  limitConnections(server, connections);
  applyRequestTimeouts(server, connections.headerTimeoutMs, opts.requestTimeoutMs);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  let listening = true;
  return {
    port: (server.address() as AddressInfo).port,
    serving: () => listening,
    close: (graceMs = 0) =>
      new Promise<void>((resolve) => {
        listening = false;
        const late = setTimeout(() => server.closeAllConnections(), graceMs);
        // A keep-alive connection whose answer ended is idle: closed as soon as it is.
        const idle = setInterval(() => server.closeIdleConnections(), 200);
        server.close(() => {
          clearTimeout(late);
          clearInterval(idle);
          resolve();
        });
        if (graceMs <= 0) server.closeAllConnections();
      }),
  };
}
