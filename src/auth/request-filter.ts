// An access check in front of a plain node:http handler (the secure /metrics), as controller-runtime's
// filters.WithAuthenticationAndAuthorization and kube-rbac-proxy do it: the bearer token authenticated
// with a TokenReview, the request authorised as a non-resource request (the lowercased method on the
// path, `get /metrics`), both through checkRequest and its caches. 401 without a valid token, 403 when
// RBAC does not allow it, 503 when the apiserver cannot be asked (nothing is served unchecked).
import type { RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { checkRequest } from './check-request.js';
import type { AccessReviewer } from './kube-reviewer.js';

/** How long a scraper should wait when the apiserver could not be asked. */
const RETRY_AFTER_SECONDS = '5';

const refuse = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'Content-Type': 'text/plain', ...headers }).end(`${message}\n`);

export function withAccessCheck(
  reviewer: AccessReviewer,
  handler: RequestListener,
  logger: Logger,
): RequestListener {
  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://request').pathname;
    // HEAD is a GET without its body: RBAC rules name `get`.
    const verb = req.method === 'HEAD' ? 'get' : (req.method ?? 'GET').toLowerCase();
    checkRequest(reviewer, req.headers.authorization, { nonResource: { verb, path } }).then(
      (check) => {
        if (check.ok) {
          handler(req, res);
          return;
        }
        logger.debug({ status: check.status, user: check.user?.username, path }, check.reason);
        const challenge: Record<string, string> =
          check.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {};
        refuse(res, check.status, check.reason, challenge);
      },
      (err: Error) => {
        logger.warn({ err: err.message, path }, 'access check failed: the apiserver did not answer');
        refuse(res, 503, `the access check could not be made: ${err.message}`, {
          'Retry-After': RETRY_AFTER_SECONDS,
        });
      },
    );
  };
}
