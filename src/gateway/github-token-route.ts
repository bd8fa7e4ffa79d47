// The GitHub token broker's route on the gateway's listener (docs/security.md "Phases and their
// credentials"): an attempt's prepare or publish container POSTs, with no body, its projected
// ServiceAccount token as a bearer token, and gets its phase's installation token as plain text. The
// listener's budget holds the request first (connections, requests at once, a rate per address); here
// a body or a credential past its bound is refused before any review, and one with no credential costs
// no API call. The decisions (TokenReview, the attempt's pod, its phase, the mint) are the issuer's
// (src/github/phase-tokens/), wired in by src/app/gateway.ts.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { bearerToken } from '../auth/index.js';
import { originFormPath } from '../http/index.js';

/** The phases' paths: the prepare container's read-only token, the publisher's write token. */
export const GITHUB_TOKEN_PATHS = Object.freeze({
  read: '/orchestrator/v1/github-token/read',
  write: '/orchestrator/v1/github-token/write',
});

type Phase = keyof typeof GITHUB_TOKEN_PATHS;

/** What the route needs of the issuer (src/github/phase-tokens/issuer.ts). */
export interface PhaseTokens {
  issue(
    credential: string,
    phase: Phase,
    signal?: AbortSignal,
  ): Promise<{ status: 200; token: string; expiresAt: Date } | { status: number; message: string }>;
}

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

/** The phase a request's path names, when it is one of the broker's. */
export function tokenPhase(req: IncomingMessage): Phase | undefined {
  const path = originFormPath(req.url);
  return (Object.keys(GITHUB_TOKEN_PATHS) as Phase[]).find((p) => GITHUB_TOKEN_PATHS[p] === path);
}

export function githubTokenRoute(tokens: PhaseTokens, logger: Logger): RequestListener {
  return (req, res) => {
    serve(req, res).catch((err: Error) => {
      logger.warn({ err: err.message }, 'a GitHub token request failed');
      answer(res, 503, 'the operator could not answer now; ask again');
    });
  };

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const phase = tokenPhase(req);
    if (!phase) return answer(res, 404, 'no such route');
    if (req.method !== 'POST') return answer(res, 405, 'POST, with no body');
    // The request carries nothing but its credential: any body is too large, and is never read.
    const length = req.headers['content-length'];
    if (req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0'))
      return answer(res, 413, 'a token request has no body', true);
    const header = req.headers.authorization;
    const credential = header && header.length <= MAX_CREDENTIAL_BYTES ? bearerToken(header) : undefined;
    if (!credential)
      return answer(res, 401, "no bearer token: the phase's projected ServiceAccount token is needed");
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const issued = await tokens.issue(credential, phase, gone.signal);
    if ('token' in issued) return answer(res, 200, issued.token);
    answer(res, issued.status, issued.message);
  }
}
