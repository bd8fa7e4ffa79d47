// One reading of a request's target for every listener, so that the budget a request is held to and the
// route that serves it are chosen from the same path (docs/security.md "Routes are exact"). Only the
// origin form (`/path?query`) is served: the absolute form (`https://host/path`) is what clients send
// to proxies, and koa reads its path where an exact lookup of `req.url` would not; a fragment is not
// part of a request target (RFC 9112 §3.2), and koa would drop it where a lookup would keep it. Routers
// are strict (STRICT_ROUTES) so a path's spelling in another case or with a trailing slash reaches no
// route, as in the Kubernetes apiserver.

/** @koa/router options for exact routes: case-sensitive, no trailing-slash variant. */
export const STRICT_ROUTES = Object.freeze({ strict: true, sensitive: true });

/**
 * An origin-form target in printable ASCII (RFC 3986 characters: anything else must be percent-encoded)
 * without a fragment. koa reads such a target's path as it is; with a space, a fragment or a non-ASCII
 * character it parses the target again, trimming it (`/webhook/github\u00a0` would be read as
 * `/webhook/github`).
 */
const ORIGIN_FORM = /^\/[!-"$-~]*$/;

/**
 * The path of an origin-form target (`/a/b` of `/a/b?c`), exactly as koa will see it; undefined for any
 * other form (absolute, authority, asterisk) and for a target with a fragment or a character outside
 * printable ASCII, which are refused (400).
 */
export function originFormPath(target: string | undefined): string | undefined {
  if (target === undefined || !ORIGIN_FORM.test(target)) return undefined;
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}
