// The GitHub token broker's route on the gateway listener (docs/security.md "Phases and their
// credentials"): an attempt's prepare or publish container trades its projected ServiceAccount token
// for its phase's installation token (credential-route.ts: the request's form and bounds). The
// decisions (TokenReview, the attempt's pod, its phase, the mint) are the issuer's
// (src/github/phase-tokens/), wired in by src/app/gateway.ts.
import type { IncomingMessage, RequestListener } from 'node:http';
import type { Logger } from 'pino';
import { originFormPath } from '../http/index.js';
import { type CredentialAnswer, credentialRoute } from './credential-route.js';

/** The phases' paths: the prepare container's read-only token, the publisher's write token. */
export const GITHUB_TOKEN_PATHS = Object.freeze({
  read: '/orchestrator/v1/github-token/read',
  write: '/orchestrator/v1/github-token/write',
});

type Phase = keyof typeof GITHUB_TOKEN_PATHS;

/** What the route needs of the issuer (src/github/phase-tokens/issuer.ts). */
export interface PhaseTokens {
  issue(credential: string, phase: Phase, signal?: AbortSignal): Promise<CredentialAnswer>;
}

/** The phase a request's path names, when it is one of the broker's. */
export function tokenPhase(req: IncomingMessage): Phase | undefined {
  const path = originFormPath(req.url);
  return (Object.keys(GITHUB_TOKEN_PATHS) as Phase[]).find((p) => GITHUB_TOKEN_PATHS[p] === path);
}

export function githubTokenRoute(tokens: PhaseTokens, logger: Logger): RequestListener {
  return credentialRoute((req) => {
    const phase = tokenPhase(req);
    return phase && ((credential, signal) => tokens.issue(credential, phase, signal));
  }, logger);
}
