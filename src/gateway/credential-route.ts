// A route on the gateway's listener where an attempt's container trades its projected ServiceAccount
// token for a credential the operator hands it (docs/security.md "Phases and their credentials"): a
// POST with no body and the projected token as a bearer token, answered with the credential as plain
// text. The listener's budget holds the request first (connections, requests at once, a rate per
// address); here a body or a bearer token past its bound is refused before any review, and one with no
// bearer token costs no API call.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerToken } from '../auth/index.js';

/** What an issuer answers: the credential, or a refusal with its HTTP status (409: ask again shortly). */
export type CredentialAnswer = { status: 200; token: string } | { status: number; message: string };

/** Issues the credential for the projected token `credential`. */
export type IssueCredential = (credential: string, signal: AbortSignal) => Promise<CredentialAnswer>;

/** A projected ServiceAccount token is a JWT of about a kilobyte; anything much longer is not one. */
export const MAX_CREDENTIAL_BYTES = 8192;

const answer = (res: ServerResponse, status: number, text: string, close = false) => {
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...(close ? { connection: 'close' } : {}),
  });
  res.end(text);
};

/** The route for one issuer; `issuer` is what the request is for (the issuer of `req`'s path). */
export function credentialRoute(
  issuer: (req: IncomingMessage) => IssueCredential | undefined,
  logger: Logger,
): RequestListener {
  return (req, res) => {
    serve(req, res).catch((err: Error) => {
      logger.warn({ err: err.message }, 'a credential request failed');
      answer(res, 503, 'the operator could not answer now; ask again');
    });
  };
  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const issue = issuer(req);
    if (!issue) return answer(res, 404, 'no such route');
    if (req.method !== 'POST') return answer(res, 405, 'POST, with no body');
    // The request carries nothing but its credential: any body is too large, and is never read.
    const length = req.headers['content-length'];
    if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'))
      return answer(res, 413, 'a token request has no body', true);
    const header = req.headers.authorization;
    const credential = header && header.length <= MAX_CREDENTIAL_BYTES ? bearerToken(header) : undefined;
    if (!credential)
      return answer(res, 401, "no bearer token: the container's projected ServiceAccount token is needed");
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const issued = await issue(credential, gone.signal);
    if ('token' in issued) return answer(res, 200, issued.token);
    answer(res, issued.status, issued.message);
  }
}
