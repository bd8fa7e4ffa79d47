// The REST API's middleware: every error as a Status (and logged when it is ours), the caller
// authenticated (401) and held to its rate limit (429), and each handler's access check (403).
import type { Context, Middleware, Next } from 'koa';
import type { Logger } from 'pino';
import {
  type AccessAttributes,
  type AccessReviewer,
  authenticateRequest,
  forbiddenMessage,
  type UserInfo,
} from '../auth/index.js';
import type { TokenBuckets } from '../http/index.js';
import { truncate } from '../validation/index.js';
import type { CallLimit } from './runs.js';
import { statusError, toStatus } from './status.js';

/** What the middleware leaves for the handlers. */
export interface ApiState {
  user: UserInfo;
  /** The limit on each apiserver call of this request. */
  limit: CallLimit;
}

/** Answers every error with its Status; one log line per request (5xx at error, with the error). */
export function statusErrors(logger: Logger): Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    try {
      await next();
      // koa's 404 and koa-router's 405 come without a body: given one in the same shape as the rest.
      if (ctx.status === 404 && ctx.body == null)
        throw statusError(
          404,
          `the server could not find the requested resource (${truncate(ctx.path, 256)})`,
        );
      if (ctx.status >= 400 && ctx.body == null)
        throw statusError(ctx.status, `${ctx.method} is not supported on ${truncate(ctx.path, 256)}`);
    } catch (err) {
      const status = toStatus(err);
      ctx.status = status.code;
      ctx.body = status;
      if (status.code === 429 || status.code === 503)
        ctx.set('Retry-After', String(status.details?.retryAfterSeconds ?? 1));
      if (status.code >= 500) logger.error({ err, path: truncate(ctx.path, 256) }, 'REST API request failed');
    }
    // A refused request whose body was not read (no route, no token): the connection is not kept for it,
    // so its rest is not drained on the way to the next request.
    if (ctx.status >= 400 && !ctx.req.complete) ctx.set('Connection', 'close');
    const user = (ctx.state as Partial<ApiState>).user?.username;
    logger.info(
      {
        method: ctx.method,
        path: truncate(ctx.path, 256),
        status: ctx.status,
        ...(user ? { user } : {}),
        latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      },
      'REST API request',
    );
  };
}

/** The caller's identity (401 without one the apiserver accepts), then a token from its bucket (429). */
/**
 * A write a browser sends from another site (`Sec-Fetch-Site: cross-site` or `same-site`) is refused
 * before anything else: behind a proxy that turns a session cookie into the user's token
 * (docs/console.md "Single sign-on"), another site's page could otherwise cancel a run. Clients that
 * are not browsers send no such header, and a browser's own console page sends `same-origin`.
 */
export const sameOriginWrites: Middleware = async (ctx, next) => {
  const site = ctx.get('Sec-Fetch-Site');
  if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && site && site !== 'same-origin' && site !== 'none')
    throw statusError(
      403,
      `${ctx.method} from another site refused (Sec-Fetch-Site: ${truncate(site, 32)}): only the console's own pages may write from a browser`,
    );
  await next();
};

export function authenticated(
  reviewer: AccessReviewer,
  buckets: TokenBuckets,
  timeoutMs: number,
): Middleware {
  return async (ctx: Context, next: Next) => {
    const authn = await authenticateRequest(reviewer, ctx.get('Authorization') || undefined);
    if (!authn.ok) {
      ctx.set('WWW-Authenticate', 'Bearer realm="orchestrator"');
      throw statusError(401, `Unauthorized: ${authn.reason}`);
    }
    const take = buckets.take(authn.user.username);
    if (!take.allowed)
      throw statusError(
        429,
        `too many requests from "${authn.user.username}": retry in ${take.retryAfterSeconds} s`,
        {
          retryAfterSeconds: take.retryAfterSeconds,
        },
      );
    const state = ctx.state as ApiState;
    state.user = authn.user;
    state.limit = { timeoutMs };
    await next();
  };
}

/** 403 unless RBAC allows the caller `attributes` (a SubjectAccessReview, cached). */
export async function authorize(
  reviewer: AccessReviewer,
  ctx: Context,
  attributes: AccessAttributes,
): Promise<void> {
  const { user } = ctx.state as ApiState;
  const decision = await reviewer.authorize(user, attributes);
  if (!decision.allowed)
    throw statusError(403, forbiddenMessage(user, attributes, decision.reason), {
      ...('resource' in attributes
        ? {
            group: attributes.resource.group,
            kind: attributes.resource.resource,
            name: attributes.resource.name,
          }
        : {}),
    });
}
