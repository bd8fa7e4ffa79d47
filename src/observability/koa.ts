// A server span per HTTP request, for the koa servers that take requests from outside (the task REST
// API, the GitHub webhook endpoint): the caller's W3C trace context (traceparent) is the parent, so a
// PM tool's or GitHub's trace continues here, and the span is active for the handler (its API calls
// and log lines join it). Build the middleware after startTracing: with tracing off it is a bare
// `next()`. Admission reviews have their own span (src/webhook/review-spans.ts).
// The design it implements: docs/design.md §11.
import { propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { Middleware } from 'koa';
import { inSpan, tracingEnabled } from './tracing.js';

/** The route template @koa/router matched (`/tasks/:id`), else the path is not named (cardinality). */
const routeOf = (ctx: { _matchedRoute?: unknown }): string | undefined =>
  typeof ctx._matchedRoute === 'string' ? ctx._matchedRoute : undefined;

/** `server` names the server in the span (`orchestrator.server`): `rest`, `github`. */
export function tracingMiddleware(server: string): Middleware {
  if (!tracingEnabled()) return (_ctx, next) => next();
  return (ctx, next) => {
    const parent = propagation.extract(ROOT_CONTEXT, ctx.headers);
    const attributes = {
      'orchestrator.server': server,
      'http.request.method': ctx.method,
      'url.path': ctx.path,
      'url.scheme': ctx.protocol,
    };
    return inSpan(ctx.method, { kind: SpanKind.SERVER, parent, attributes }, async (span) => {
      try {
        await next();
      } catch (err) {
        const status = (err as { status?: unknown }).status;
        span.setAttribute('http.response.status_code', typeof status === 'number' ? status : 500);
        throw err;
      } finally {
        const route = routeOf(ctx as { _matchedRoute?: unknown });
        if (route) {
          span.updateName(`${ctx.method} ${route}`);
          span.setAttribute('http.route', route);
        }
      }
      span.setAttribute('http.response.status_code', ctx.status);
      if (ctx.status >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: `HTTP ${ctx.status}` });
    });
  };
}
