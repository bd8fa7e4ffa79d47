// The GitHub token broker's decisions (docs/security.md "Phases and their credentials"): a phase of an
// attempt's pod asks for its token with the projected ServiceAccount token mounted in that container
// only (audience PHASE_TOKEN_AUDIENCE). In order, each step only once the one before it passed:
// the TokenReview (within the reviewer's budget of reviews at once) says which pod the token is bound
// to; the pod, its Job and the run are read and must be the current attempt of a run the operator made;
// the pod's containers, as the kubelet reports them, must be in that phase; then the token is minted
// for the run's repositories with the phase's permissions (or the one this replica already handed that
// phase is given again, to the same credential only), held in memory for its revocation, and never
// written to a Secret.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { ControllerConfig, RunOf } from '../../api/index.js';
import { type Authentication, ReviewLimitExceeded } from '../../auth/index.js';
import type { ApiRequester } from '../../runtime/index.js';
import { type GithubTokens, READ_PERMISSIONS, TokenFailure, tokenScope } from '../app-tokens/index.js';
import { phaseVerdict, type TokenPhase } from './attempt-pod.js';
import { HeldTokens } from './held-tokens.js';
import { type BoundPod, boundPod, podAttempt, Refusal } from './pod-attempt.js';

/** The audience of the projected ServiceAccount token a phase presents: the broker's alone. */
export const PHASE_TOKEN_AUDIENCE = 'orchestrator.io/github-token';

/** What the broker answers: the token, or a refusal with its HTTP status (409: ask again shortly). */
export type Issued =
  | { status: 200; token: string; expiresAt: Date }
  | { status: 401 | 403 | 404 | 409 | 502 | 503; message: string };

export interface PhaseTokenIssuerOptions {
  client: ApiRequester;
  /** TokenReview with PHASE_TOKEN_AUDIENCE, within a budget of reviews at once (KubeReviewer). */
  reviewer: { authenticate(token: string): Promise<Authentication> };
  tokens: GithubTokens;
  config: () => ControllerConfig;
  logger: Logger;
  now?: () => Date;
}

export class PhaseTokenIssuer {
  readonly held: HeldTokens;
  private readonly now: () => Date;

  constructor(private readonly opts: PhaseTokenIssuerOptions) {
    this.held = new HeldTokens(opts.tokens, opts.logger);
    this.now = opts.now ?? (() => new Date());
  }

  async issue(credential: string, phase: TokenPhase, signal?: AbortSignal): Promise<Issued> {
    try {
      const pod = await boundPod(this.opts.reviewer, credential);
      const hash = createHash('sha256').update(credential).digest('hex');
      return await this.forPod({ ...pod, credential: hash }, phase, signal);
    } catch (err) {
      if (err instanceof Refusal) return { status: err.status, message: err.message };
      if (err instanceof ReviewLimitExceeded) return { status: 503, message: err.message };
      if (err instanceof TokenFailure)
        return { status: err.transient ? 503 : 502, message: `GitHub: ${err.message}` };
      this.opts.logger.warn({ err: (err as Error).message }, 'a phase token request failed');
      return { status: 503, message: 'the operator could not answer now; ask again' };
    }
  }

  private async forPod(
    bound: BoundPod & { credential: string },
    phase: TokenPhase,
    signal?: AbortSignal,
  ): Promise<Issued> {
    const { namespace } = bound;
    const { pod, run, kind } = await podAttempt(this.opts.client, bound, signal);
    const verdict = phaseVerdict(pod, phase);
    if (!verdict.ok) throw new Refusal(verdict.retry ? 409 : 403, verdict.message);
    const scope = tokenScope(kind, run as RunOf<typeof kind>, this.opts.config());
    if (!scope) throw new Refusal(404, 'the run acts as no GitHub App: the operator mints it no token');
    const now = this.now();
    const held = this.held.current(bound.uid, phase, now);
    if (held && held.credential !== bound.credential) {
      // The container asks with its one projected token; another one is someone else's (a co-tenant's
      // TokenRequest bound to the pod), asking for what the container already has.
      this.opts.logger.warn(
        { namespace, pod: bound.name, phase },
        "a second credential asked for a phase's GitHub App token already handed out: refused",
      );
      throw new Refusal(403, `the pod's ${phase} token was already handed to another credential`);
    }
    if (held && HeldTokens.reusable(held, now))
      return { status: 200, token: held.token, expiresAt: held.expiresAt };
    const minted = await this.opts.tokens.mint(
      phase === 'read' ? { ...scope, permissions: { ...READ_PERMISSIONS } } : scope,
      signal,
    );
    this.held.hold({
      ...minted,
      namespace,
      pod: bound.name,
      podUid: bound.uid,
      phase,
      credential: bound.credential,
    });
    this.opts.logger.info(
      { namespace, pod: bound.name, phase, repositories: scope.repositories, expiresAt: minted.expiresAt },
      "a phase's GitHub App token minted",
    );
    return { status: 200, ...minted };
  }
}
